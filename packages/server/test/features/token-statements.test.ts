/**
 * Issue 21, part 3: the statements a refresh and a code exchange send to PostgreSQL, counted through the real
 * `pg` driver (every `query` a pooled client sends, BEGIN and COMMIT included), so the count cannot creep up
 * unnoticed. Every statement is a round trip to the database and costs the pg driver and Kysely CPU: the
 * refresh on PostgreSQL used twice the CPU of SQLite (bench/, scenario 3). The statements are printed when
 * the count differs, so a change that adds one says which.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { createTenantWithClient } from '../support/server.ts';
import { basicAuth, json, postForm } from '../support/http.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { exchangeCode, signIn } from '../support/sign-in.ts';

/** Records the text of every statement any pg client of this process sends while `during` runs. */
async function statementsOf<T>(during: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text;
    statements.push(String(text).replace(/\s+/g, ' ').trim());
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    return { result: await during(), statements };
  } finally {
    pg.Client.prototype.query = original;
  }
}

/**
 * The shared change signal is off here: its poll is a statement of its own, and a poll that finds the counter
 * moved (the fixtures' writes announce themselves) empties the caches between two counted requests. Both made
 * counts flaky under CPU contention (`npm run test:stress`); what the signal does is `cache-sync.test.ts`'s.
 */
const NO_SYNC = { LATCHKEY_CACHE_SYNC_MS: '0' };

describe('statements per token request on PostgreSQL (issue 21)', () => {
  let server: TestServer;
  let acme: SignInFixture;

  before(async () => {
    server = await startTestServer('postgres', NO_SYNC);
    acme = await createSignInFixture(server, 'acme');
  });
  after(() => server.stop());

  async function codeFor(fixture: SignInFixture) {
    const result = await signIn({ ...fixture, scope: 'openid offline_access' });
    assert.ok(result.code, 'signed in');
    return { code: result.code, verifier: result.pkce.verifier };
  }

  function refresh(refreshToken: string): Promise<Response> {
    return postForm(`${acme.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: acme.clientId, client_secret: acme.clientSecret });
  }

  function expectStatements(what: string, statements: readonly string[], expected: readonly RegExp[]): void {
    const listing = `${what}: ${statements.length} statements\n  ${statements.join('\n  ')}`;
    assert.equal(statements.length, expected.length, listing);
    expected.forEach((pattern, i) => assert.match(statements[i]!, pattern, listing));
  }

  // The token (or code) with its grant and user; the user's groups; and the one statement that claims and
  // stores. No BEGIN, no COMMIT: the issuance statement is atomic on its own. Client, tenant and signing key
  // come from the caches.
  const READ = /^select .* from "(refresh_tokens|authorization_codes)" left join "grants" .* left join "users"/;
  const GROUPS = /^with recursive "reach"(?!.* union all select "roles")/;
  // The groups and the roles in one statement: the roles half reads the same walk (directory/access.ts).
  const GROUPS_AND_ROLES = /^with recursive "reach".* union all select "roles"\."id"/;
  const STORE = /^\/\* writes: .*\*\/ with g as \(select revoked_at from grants .* for update\)/;

  it('a code exchange and a refresh rotation each send three statements (were eleven)', async () => {
    // Warm the caches (client, tenant, signing key) the way a running server has them.
    const warm = await codeFor(acme);
    const warmTokens = await json(await exchangeCode({ ...acme, code: warm.code, codeVerifier: warm.verifier }));
    assert.equal((await refresh(warmTokens.refresh_token as string)).status, 200);

    const { code, verifier } = await codeFor(acme);
    const exchange = await statementsOf(async () => exchangeCode({ ...acme, code, codeVerifier: verifier }));
    assert.equal(exchange.result.status, 200);
    const tokens = await json(exchange.result);
    expectStatements('code exchange', exchange.statements, [READ, GROUPS, STORE]);

    const rotation = await statementsOf(async () => refresh(tokens.refresh_token as string));
    assert.equal(rotation.result.status, 200);
    const rotated = await json(rotation.result);
    expectStatements('refresh', rotation.statements, [READ, GROUPS, STORE]);

    // What was stored works: the new refresh token refreshes, the old one is rotated out.
    assert.equal((await refresh(rotated.refresh_token as string)).status, 200);
    assert.equal((await refresh(tokens.refresh_token as string)).status, 400);
  });

  it('reads the roles only for a client whose tokens carry roles or permissions, with the groups in one statement', async () => {
    const admin = await createSignInFixture(server, 'rolesy', { client: { tokenClaims: ['groups', 'roles', 'permissions'] } });
    const { code, verifier } = await codeFor(admin);
    const tokens = await json(await exchangeCode({ ...admin, code, codeVerifier: verifier }));
    const rotation = await statementsOf(async () =>
      postForm(`${admin.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string, client_id: admin.clientId, client_secret: admin.clientSecret }),
    );
    assert.equal(rotation.result.status, 200);
    const body = await json(rotation.result);
    expectStatements('refresh (roles in tokens)', rotation.statements, [READ, GROUPS_AND_ROLES, STORE]);
    const claims = JSON.parse(Buffer.from(String(body.access_token).split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    assert.deepEqual(claims.roles, []);
    assert.deepEqual(claims.permissions, []);
  });

  // Issue 21: with 100,000 tenants most client_credentials tokens find nothing of their tenant cached. The client,
  // its tenant and the tenant's published keys come in one statement (they were three), then the service
  // account and its groups.
  it('a client_credentials token with nothing cached sends three statements (were five)', async () => {
    const fleet = await createTenantWithClient(server, 'cold-fleet');
    // A second instance on the same database: its caches have never seen the tenant.
    const cold = await startTestServer('postgres', NO_SYNC, server.database);
    try {
      const request = () => postForm(`${cold.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basicAuth(fleet.clientId, fleet.clientSecret) });
      const first = await statementsOf(request);
      assert.equal(first.result.status, 200);
      // The new instance's outbox sender makes its first pass as it starts: not the request's statements.
      const requestStatements = first.statements.filter((text) => !text.includes('"mail_outbox"'));
      expectStatements('cold client_credentials', requestStatements, [
        /^select "clients"\.\*, "tenants"\."slug" .* from "clients" inner join "tenants" .* left join "signing_keys" /,
        /^select \* from "users" where "id" = \$1/,
        GROUPS,
      ]);
      const warm = await statementsOf(request);
      assert.equal(warm.result.status, 200);
      expectStatements('warm client_credentials', warm.statements, []);
    } finally {
      await cold.close();
    }
  });
});
