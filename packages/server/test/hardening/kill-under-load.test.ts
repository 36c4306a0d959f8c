/**
 * Issue 14, acceptance: three `latchkey serve` processes on one PostgreSQL database serve a load of code
 * exchanges and refresh chains from a client that, when its connection dies or an instance answers 5xx, sends
 * the same request again to the next instance (as a client behind a load balancer does). Instances are killed
 * with SIGKILL mid-load and started again. A refresh that committed but died before its answer reached the
 * client is retried within the tenant's reuse grace; a code exchange is not (codes are strictly single-use,
 * RFC 6749 §4.1.2: its retry is refused and revokes what the lost answer carried; the user signs in again
 * through the still-open session), so:
 * - no user is logged out by a refresh retry (every refresh chain ends in 200, no chain's grant is revoked);
 * - no code is consumed without its tokens stored in the same commit: a code is either unused with no token
 *   of its grant stored, or consumed with exactly one exchange's tokens; a code exchange is refused only as the
 *   retry of an attempt whose answer was lost, and only those grants are revoked;
 * - exactly once everywhere: every family has exactly one live refresh token, the one its client holds; every
 *   acknowledged access token verifies.
 * Bounded in time (DEADLINE_MS); the kills and restarts are awaited, never slept for.
 */
import { after, before, describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../../src/server.ts';
import { hashSecret } from '../../src/tokens/opaque.ts';
import { startProcessDeployment } from '../support/process-deployment.ts';
import type { ProcessDeployment } from '../support/process-deployment.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { signIn } from '../support/sign-in.ts';
import type { CookieJar } from '../support/sign-in.ts';
import { fetchJwks, verifyAccessToken } from '../support/tokens.ts';

const KILLS = 12;
const CODE_LANES = 3;
const REFRESH_CHAINS = 6;
/** Acknowledged answers between two kills, and while the victim is down. */
const LOAD_BETWEEN_KILLS = 15;
/**
 * Only a bound against a hang, never a pass mark for speed: with both cores kept busy by another process
 * (`npm run test:stress`) the twelve kills took over 80 s, so 75 s failed a correct run. Below the runner's
 * 300 s per-test timeout, so a hang still ends here with the counts reported.
 */
const DEADLINE_MS = 240_000;
/** The grace of this tenant: far above how long a prompt retry can take on a loaded machine. */
const REUSE_GRACE = 30;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Outcome {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** Attempts sent before this answer whose own answer was lost (a dead connection, a 5xx). */
  readonly lost: number;
}

describe('SIGKILL of instances under load, three instances on PostgreSQL, a retrying client (issue 14)', () => {
  let deployment: ProcessDeployment;
  let web: SignInFixture;

  before(async () => {
    // One client sends the whole load as fast as the instances answer; the token endpoint's per-client and
    // per-IP limits (1,200 and 6,000 a minute per process) answered 429 once the token path got faster, and a
    // 429 is a refusal this test would count as a lost answer. Limits are rate-limits.test.ts's.
    deployment = await startProcessDeployment('postgres', 3, { LATCHKEY_RATE_LIMIT_PER_CLIENT: '100000000', LATCHKEY_RATE_LIMIT_PER_IP: '100000000' });
    web = await createSignInFixture({ ctx: deployment.admin } as RunningServer, 'web', { settings: { reuse_grace: REUSE_GRACE } });
  });
  after(() => deployment.stop());

  it('logs nobody out, burns no code without tokens, and rotates every refresh token exactly once', async (t: TestContext) => {
    const started = Date.now();
    const deadlineReached = () => Date.now() - started > DEADLINE_MS;
    let stopLoad = false;
    let acknowledged = 0;
    let retried = 0;
    let next = 0;
    /** Requests each instance is serving right now: a kill waits until its victim has some. */
    const inFlight = deployment.urls.map(() => 0);
    const failures: string[] = [];
    const accessTokens: string[] = [];

    /** The retrying client: the same request to the next instance while connections die or answers are 5xx. */
    async function postWithRetry(form: Record<string, string>): Promise<Outcome> {
      for (let attempt = 0; attempt < 50; attempt++) {
        const instance = next++ % deployment.urls.length;
        const url = `${deployment.urls[instance]!}/t/web/oauth2/token`;
        inFlight[instance]!++;
        try {
          const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString(), signal: AbortSignal.timeout(30_000) });
          const body = (await response.json()) as Record<string, unknown>;
          if (response.status < 500) return { status: response.status, body, lost: attempt };
        } catch {
          // The instance died with the request (or was down): its answer, if any, is lost.
        } finally {
          inFlight[instance]!--;
        }
        retried++;
        await sleep(20);
      }
      throw new Error('no instance answered 50 times in a row');
    }

    function acknowledge(outcome: Outcome, what: string): boolean {
      if (outcome.status !== 200) {
        failures.push(`${what}: ${outcome.status} ${JSON.stringify(outcome.body)}`);
        return false;
      }
      acknowledged++;
      accessTokens.push(outcome.body.access_token as string);
      return true;
    }

    let exchanges = 0;
    /** Every code handed out (by its hash), and when: housekeeping drops codes once they expired (60 s). */
    const issuedCodes = new Map<string, number>();
    /** Codes whose exchange was answered 200. */
    const acknowledgedCodes = new Set<string>();
    /** Codes whose exchange answer was lost after it committed: the retry was refused (and revoked the grant). */
    const refusedRetries = new Set<string>();
    /** The refresh tokens of the code lanes, never used: each must be its family's only, live token. */
    const unused: string[] = [];
    const signInAndExchange = async (jar: CookieJar | undefined): Promise<{ jar: CookieJar; refreshToken?: string }> => {
      // Sign-ins go to the first instance (the issuer's pages), which is never killed; exchanges go anywhere.
      // A refused retry costs the user one more redirect through the still-signed-in session, as in a browser.
      for (let redirects = 0; redirects < 10; redirects++) {
        const result = await signIn({ issuer: web.issuer, clientId: web.clientId, redirectUri: web.redirectUri, login: web.login, password: web.password, scope: 'openid offline_access', ...(jar ? { jar } : {}) });
        jar = result.jar;
        const codeHash = hashSecret(result.code!);
        issuedCodes.set(codeHash, Date.now());
        const outcome = await postWithRetry({ grant_type: 'authorization_code', code: result.code!, redirect_uri: web.redirectUri, code_verifier: result.pkce.verifier, client_id: web.clientId, client_secret: web.clientSecret });
        if (outcome.status === 400 && outcome.body.error === 'invalid_grant' && outcome.lost > 0) {
          refusedRetries.add(codeHash);
          continue;
        }
        if (!acknowledge(outcome, 'code exchange')) return { jar };
        exchanges++;
        acknowledgedCodes.add(codeHash);
        return { jar, refreshToken: outcome.body.refresh_token as string };
      }
      failures.push('code exchange: 10 answers in a row lost');
      return { jar: jar! };
    };

    const codeLanes = Array.from({ length: CODE_LANES }, async () => {
      let jar: CookieJar | undefined;
      while (!stopLoad && !deadlineReached()) {
        const exchange = await signInAndExchange(jar);
        jar = exchange.jar;
        if (exchange.refreshToken !== undefined) unused.push(exchange.refreshToken);
      }
    });
    const chains: Array<{ current: string; rotations: number; loggedOut: boolean }> = [];
    const refreshLanes = Array.from({ length: REFRESH_CHAINS }, async () => {
      const first = await signInAndExchange(undefined);
      if (first.refreshToken === undefined) return;
      const chain = { current: first.refreshToken, rotations: 0, loggedOut: false };
      chains.push(chain);
      while (!stopLoad && !deadlineReached()) {
        const outcome = await postWithRetry({ grant_type: 'refresh_token', refresh_token: chain.current, client_id: web.clientId, client_secret: web.clientSecret });
        if (!acknowledge(outcome, 'refresh')) {
          chain.loggedOut = true;
          return;
        }
        chain.current = outcome.body.refresh_token as string;
        chain.rotations++;
      }
    });

    const waitForLoad = async (count: number) => {
      const target = acknowledged + count;
      while (acknowledged < target && !deadlineReached() && failures.length === 0) await sleep(10);
    };
    let kills = 0;
    const restarts = new Map<number, Promise<void>>();
    const killer = (async () => {
      try {
        for (; kills < KILLS && !deadlineReached() && failures.length === 0; kills++) {
          // Instances 1 and 2 by turns; the first serves the sign-in pages (the issuer's URL). A victim's
          // restart runs while the other one is killed, so that the test's time goes to load, not start-ups.
          const victim = 1 + (kills % 2);
          await restarts.get(victim);
          await waitForLoad(LOAD_BETWEEN_KILLS);
          // In the middle of requests, so that some die between their commit and their answer.
          while (inFlight[victim]! < 3 && !deadlineReached()) await new Promise((resolve) => setImmediate(resolve));
          await deployment.kill(victim);
          await waitForLoad(LOAD_BETWEEN_KILLS);
          const restart = deployment.restart(victim);
          restart.catch(() => {}); // awaited (and its failure thrown) before this instance is killed again
          restarts.set(victim, restart);
        }
        await Promise.all(restarts.values());
        await waitForLoad(LOAD_BETWEEN_KILLS);
      } finally {
        stopLoad = true;
      }
    })();
    await Promise.all([killer, ...codeLanes, ...refreshLanes]);

    const db = deployment.admin.db;
    const refreshRetriesForgiven = await db.selectFrom('audit_events').select('action').where('action', '=', 'refresh_token.retry').execute();
    t.diagnostic(`${kills} kills, ${acknowledged} answers, ${retried} requests sent again, ${refreshRetriesForgiven.length} refresh retries of a committed rotation forgiven, ${refusedRetries.size} code exchanges lost after their commit and refused on retry, ${chains.reduce((n, c) => n + c.rotations, 0)} rotations`);
    // No user logged out by a refresh retry; no code exchange refused but the retry of one whose answer was lost.
    assert.deepEqual(failures, []);
    assert.equal(kills, KILLS, 'every kill happened within the deadline');
    assert.ok(retried > 0, 'killing instances interrupted requests');
    assert.ok(chains.every((chain) => !chain.loggedOut));

    // No code consumed without its tokens stored in the same commit, and exactly one exchange per consumed code:
    // an unused code's grant has no token at all; a consumed one's has its exchange's access token and refresh
    // token (a code lane's grant exactly one of each: nothing else ever used it).
    const codes = await db.selectFrom('authorization_codes').select(['code_hash', 'grant_id', 'consumed_at']).where('tenant_id', '=', web.tenant.id).execute();
    const codeRows = new Map(codes.map((row) => [row.code_hash, row]));
    const tokensOf = async (grantId: string) => ({
      access: (await db.selectFrom('grant_access_tokens').select('jti').where('grant_id', '=', grantId).execute()).length,
      refresh: (await db.selectFrom('refresh_tokens').select('id').where('grant_id', '=', grantId).execute()).length,
    });
    const chainGrants = new Set<string>();
    for (const chain of chains) chainGrants.add((await db.selectFrom('refresh_tokens').select('grant_id').where('token_hash', '=', hashSecret(chain.current)).executeTakeFirstOrThrow()).grant_id);
    for (const row of codes) assert.ok(issuedCodes.has(row.code_hash), 'a code nobody asked for');
    let checked = 0;
    for (const [codeHash, issuedAt] of issuedCodes) {
      const row = codeRows.get(codeHash);
      if (row === undefined) {
        assert.ok(Date.now() - issuedAt > 60_000, 'a code vanished before it expired');
        continue;
      }
      checked++;
      const stored = await tokensOf(row.grant_id);
      if (!acknowledgedCodes.has(codeHash) && !refusedRetries.has(codeHash)) {
        assert.equal(row.consumed_at, null, `code of grant ${row.grant_id} consumed but never acknowledged`);
        assert.deepEqual(stored, { access: 0, refresh: 0 }, `unused code of grant ${row.grant_id} has tokens`);
      } else {
        assert.notEqual(row.consumed_at, null);
        if (chainGrants.has(row.grant_id)) assert.ok(stored.access > 0 && stored.refresh > 0, `consumed code of grant ${row.grant_id} has no tokens`);
        else assert.deepEqual(stored, { access: 1, refresh: 1 }, `consumed code of grant ${row.grant_id}: exactly one exchange's tokens`);
      }
    }
    assert.ok(checked > 0);

    // Only the grants of codes whose retry was refused are revoked (RFC 6749 §4.1.2), never a refresh chain's.
    const revoked = new Set((await db.selectFrom('grants').select('id').where('revoked_at', 'is not', null).where('tenant_id', '=', web.tenant.id).execute()).map((grant) => grant.id));
    assert.equal(revoked.size, refusedRetries.size);
    for (const grantId of chainGrants) assert.ok(!revoked.has(grantId), `refresh chain of grant ${grantId} was revoked`);
    for (const codeHash of refusedRetries) {
      const row = codeRows.get(codeHash);
      if (row !== undefined) assert.ok(revoked.has(row.grant_id), `the refused retry did not revoke grant ${row.grant_id}`);
    }

    // Exactly once: each family has one live refresh token, the one its client holds, and one more token per
    // rotation (a retry handed out the same token again instead of adding a branch).
    const familyOf = async (refreshToken: string) => {
      const { grant_id } = await db.selectFrom('refresh_tokens').select('grant_id').where('token_hash', '=', hashSecret(refreshToken)).executeTakeFirstOrThrow();
      return db.selectFrom('refresh_tokens').select(['token_hash', 'rotated_at', 'revoked_at']).where('grant_id', '=', grant_id).execute();
    };
    for (const chain of chains) {
      const family = await familyOf(chain.current);
      const live = family.filter((row) => row.rotated_at === null && row.revoked_at === null);
      assert.deepEqual(live.map((row) => row.token_hash), [hashSecret(chain.current)]);
      assert.equal(family.length, chain.rotations + 1);
    }
    for (const refreshToken of unused) assert.deepEqual(await familyOf(refreshToken), [{ token_hash: hashSecret(refreshToken), rotated_at: null, revoked_at: null }]);

    // Every acknowledged access token verifies (the keys, like everything else, survived the kills).
    const jwks = await fetchJwks(deployment.urls[0]!, 'web');
    for (const token of accessTokens) await verifyAccessToken(token, jwks, web.issuer);
  });
});
