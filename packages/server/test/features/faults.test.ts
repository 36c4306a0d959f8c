/**
 * Faults (issue 7): PostgreSQL taken away behind a TCP proxy of the test's own, in two ways (refused, and
 * blackholed so that its connections hang forever) → `/readyz` 503, requests answer 503 with Retry-After
 * instead of hanging, the process stays up; and it serves again by itself once the database is back.
 * Redis taken away the same way: rate limits fail open and hold again when it returns.
 * SIGTERM drains a request in flight; SIGKILL in the middle of a load of token and refresh requests loses
 * nothing that was answered 200.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLatchkey } from '../../src/context.ts';
import type { Latchkey } from '../../src/context.ts';
import { createClient } from '../../src/directory/clients.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { createLogger } from '../../src/http/logger.ts';
import { createTestDatabase, DIALECTS } from '../support/databases.ts';
import type { TestDatabase } from '../support/databases.ts';
import { createTenantWithClient, freePort, startTestServer, TEST_SECRET } from '../support/server.ts';
import { arrived, spawnLatchkey, startSlowPost } from '../support/process.ts';
import type { LatchkeyProcess } from '../support/process.ts';
import type { TenantWithClient, TestServer } from '../support/server.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { uniqueRedisPrefix } from '../support/instances.ts';
import { clientCredentials, fetchJwks, verifyAccessToken } from '../support/tokens.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import { signInForTokens } from '../support/sign-in.ts';
import { postForm } from '../support/http.ts';
import { hashSecret } from '../../src/tokens/opaque.ts';
import type { RunningServer } from '../../src/server.ts';

/** A hang guard, not a timing assertion: far above the configured 1 s database timeout. */
const HANG_LIMIT_MS = 30_000;

async function status(url: string, init: RequestInit = {}): Promise<number> {
  return (await fetch(url, { ...init, signal: AbortSignal.timeout(HANG_LIMIT_MS) })).status;
}

async function waitForReady(url: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await status(`${url}/readyz`)) === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail('never ready again');
}

describe('PostgreSQL unreachable and back (through a TCP proxy)', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let server: TestServer;
  let acme: TenantWithClient;

  before(async () => {
    database = await createTestDatabase('postgres');
    const target = new URL(database.url);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const proxied = new URL(database.url);
    proxied.port = String(await proxy.start());
    // No directory cache: every token request needs the database, which is what this test cuts.
    server = await startTestServer('postgres', { LATCHKEY_DATABASE_URL: proxied.href, LATCHKEY_DATABASE_TIMEOUT_SECONDS: '1', LATCHKEY_CACHE_TTL_SECONDS: '0' }, database);
    acme = await createTenantWithClient(server, 'acme');
  });
  after(async () => {
    await server.stop();
    await proxy.close();
    await database.drop();
  });

  for (const mode of ['refuse', 'blackhole'] as const) {
    it(`${mode}: answers 503 without hanging while the database is gone, and serves again when it returns`, async () => {
      // Several pooled connections exist before the cut, so some of them are caught in it.
      const warm = await Promise.all(Array.from({ length: 6 }, () => clientCredentials(server.url, acme.clientId, acme.clientSecret)));
      assert.deepEqual(warm.map((r) => r.status), warm.map(() => 200));
      assert.equal(await status(`${server.url}/readyz`), 200);

      proxy.cut(mode);
      assert.equal(await status(`${server.url}/readyz`), 503);
      const outage = await Promise.all(
        Array.from({ length: 4 }, () => clientCredentials(server.url, acme.clientId, acme.clientSecret, { signal: AbortSignal.timeout(HANG_LIMIT_MS) })),
      );
      for (const response of outage) {
        assert.equal(response.status, 503);
        assert.ok(Number(response.headers.get('retry-after')) >= 1);
        assert.equal(((await response.json()) as { error: string }).error, 'temporarily_unavailable');
      }
      assert.equal(await status(`${server.url}/healthz`), 200, 'the process is alive');

      proxy.restore();
      await waitForReady(server.url);
      // Sequential requests reuse the pool's most recent connection: a connection left stuck by the outage
      // would fail them all.
      for (let i = 0; i < 12; i++) assert.equal((await clientCredentials(server.url, acme.clientId, acme.clientSecret)).status, 200);
      const burst = await Promise.all(Array.from({ length: 10 }, () => clientCredentials(server.url, acme.clientId, acme.clientSecret)));
      assert.deepEqual(burst.map((r) => r.status), burst.map(() => 200));
    });
  }
});

describe('Redis unreachable and back (through a TCP proxy)', () => {
  it('serves requests while Redis is gone (counted in the process, not failed), and the shared limits hold again when it returns', async () => {
    const redisProxy = new TcpProxy('127.0.0.1', 6379);
    const port = await redisProxy.start();
    const prefix = uniqueRedisPrefix();
    const server = await startTestServer('sqlite', { LATCHKEY_REDIS_URL: `redis://127.0.0.1:${port}`, LATCHKEY_REDIS_KEY_PREFIX: prefix, LATCHKEY_RATE_LIMIT_PER_CLIENT: '3' });
    try {
      const acme = await createTenantWithClient(server, 'acme');
      const token = () => clientCredentials(server.url, acme.clientId, acme.clientSecret, { signal: AbortSignal.timeout(HANG_LIMIT_MS) });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await token()).status);
      assert.deepEqual(statuses, [200, 200, 200, 429], 'the shared limit works');

      redisProxy.cut('refuse');
      for (let i = 0; i < 3; i++) assert.equal((await token()).status, 200, 'served, counted by this process');

      redisProxy.restore();
      let limited = false;
      for (let attempt = 0; attempt < 100 && !limited; attempt++) {
        limited = (await token()).status === 429;
        if (!limited) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(limited, 'the limit (still counted in Redis) holds again once Redis is back');
    } finally {
      await server.stop();
      await redisProxy.close();
    }
  });
});

describe('SIGTERM drains an in-flight request (single process)', () => {
  let database: TestDatabase;
  let admin: Latchkey;
  let child: LatchkeyProcess | undefined;
  after(async () => {
    await child?.stop();
    await admin?.close();
    await database?.drop();
  });

  it('finishes the request it was reading, answers 200, then exits 0', async () => {
    database = await createTestDatabase('sqlite');
    const env = await childEnv(database);
    admin = await openAdmin(env);
    const client = await makeClient(admin);
    child = await spawnLatchkey(['serve', '--workers', '1'], env);
    await child.waitForLog((l) => l.msg === 'latchkey is serving', 'serving');
    const slow = startSlowPost(`${child.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret });
    await child.waitForLog(arrived(slow), 'the slow request arrived');
    child.child.kill('SIGTERM');
    await child.waitForLog((l) => l.msg === 'shutting down: draining in-flight requests', 'draining');
    const { status, body } = await slow.finish();
    assert.equal(status, 200);
    const jwks = await admin.signingKeys.jwks(client.tenantId);
    await verifyAccessToken((JSON.parse(body) as { access_token: string }).access_token, jwks, `${child.url}/t/acme`);
    assert.equal((await child.exited).code, 0);
  });
});

for (const dialect of DIALECTS) {
  describe(`SIGKILL during a bounded load of token and refresh requests (${dialect})`, () => {
    let database: TestDatabase;
    let admin: Latchkey;
    const children: LatchkeyProcess[] = [];
    after(async () => {
      for (const child of children) await child.stop();
      await admin?.close();
      await database?.drop();
    });

    it('loses nothing it acknowledged: every 200 token verifies and every 200 refresh token redeems once after a restart', async () => {
      database = await createTestDatabase(dialect);
      const env = await childEnv(database);
      admin = await openAdmin(env);
      const client = await makeClient(admin);
      const fixture = await createSignInFixture({ ctx: admin } as RunningServer, 'web');
      const first = await spawnLatchkey(['serve', '--workers', '1'], env);
      children.push(first);
      await first.waitForLog((l) => l.msg === 'latchkey is serving', 'serving');

      const refreshChains = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const { tokens } = await signInForTokens({ issuer: fixture.issuer, clientId: fixture.clientId, clientSecret: fixture.clientSecret, redirectUri: fixture.redirectUri, login: fixture.login, password: fixture.password });
          return { current: tokens.refresh_token as string, lastRequestLost: false };
        }),
      );
      const acknowledged: Array<{ token: string; slug: string }> = [];
      let killed = false;
      const killAfterEnough = () => {
        if (acknowledged.length >= 40 && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      };
      const tokenLanes = Array.from({ length: 3 }, async () => {
        for (let i = 0; i < 80 && !killed; i++) {
          try {
            const response = await clientCredentials(first.url, client.clientId, client.clientSecret);
            if (response.status === 200) acknowledged.push({ token: ((await response.json()) as { access_token: string }).access_token, slug: 'acme' });
          } catch {
            // The connection died with the process: not acknowledged.
          }
          killAfterEnough();
        }
      });
      const refreshLanes = refreshChains.map(async (chain) => {
        for (let i = 0; i < 80 && !killed; i++) {
          try {
            const response = await postForm(`${fixture.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: chain.current, client_id: fixture.clientId, client_secret: fixture.clientSecret });
            const body = (await response.json()) as { access_token: string; refresh_token: string };
            assert.equal(response.status, 200);
            chain.current = body.refresh_token;
            acknowledged.push({ token: body.access_token, slug: 'web' });
          } catch (error) {
            if (error instanceof assert.AssertionError) throw error;
            chain.lastRequestLost = true;
            return;
          }
          killAfterEnough();
        }
      });
      await Promise.all([...tokenLanes, ...refreshLanes]);
      assert.ok(killed, 'the instance was killed mid-load');
      assert.equal((await first.exited).signal, 'SIGKILL');

      const second = await spawnLatchkey(['serve', '--workers', '1'], env);
      children.push(second);
      await second.waitForLog((l) => l.msg === 'latchkey is serving', 'serving again');
      const jwks = { acme: await fetchJwks(second.url, 'acme'), web: await fetchJwks(second.url, 'web') };
      for (const { token, slug } of acknowledged) await verifyAccessToken(token, jwks[slug as 'acme' | 'web'], `${second.url}/t/${slug}`);

      const redeem = (refreshToken: string) =>
        postForm(`${fixture.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: fixture.clientId, client_secret: fixture.clientSecret });
      for (const chain of refreshChains) {
        const response = await redeem(chain.current);
        if (response.status !== 200) {
          // Only a token presented in a request that died with the process may be gone: the dead instance
          // committed its rotation before it could answer.
          assert.ok(chain.lastRequestLost, `an acknowledged refresh token that was never used again is refused: ${response.status}`);
          const row = await admin.db.selectFrom('refresh_tokens').select('rotated_at').where('token_hash', '=', hashSecret(chain.current)).executeTakeFirstOrThrow();
          assert.notEqual(row.rotated_at, null);
          continue;
        }
        // And it rotates only once: presented again (within the reuse grace) it answers with the same successor.
        const child = ((await response.json()) as { refresh_token: string }).refresh_token;
        const again = await redeem(chain.current);
        assert.equal(again.status, 200);
        assert.equal(((await again.json()) as { refresh_token: string }).refresh_token, child);
      }
    });
  });
}

async function childEnv(database: TestDatabase): Promise<Record<string, string> & { PORT: string }> {
  return { PORT: String(await freePort()), HOST: '127.0.0.1', LATCHKEY_DATABASE_URL: database.url, LATCHKEY_DATA_DIR: database.dir, LATCHKEY_SECRET: TEST_SECRET };
}

function openAdmin(env: Record<string, string>): Promise<Latchkey> {
  return createLatchkey(loadConfig({ ...env, LATCHKEY_LOG_LEVEL: 'silent' }), { logger: createLogger('silent') });
}

async function makeClient(admin: Latchkey): Promise<{ clientId: string; clientSecret: string; tenantId: string }> {
  const tenant = await createTenant(admin, { slug: 'acme' });
  const created = await createClient(admin, tenant, { name: 'agent' });
  return { clientId: created.client.clientId, clientSecret: created.clientSecret!, tenantId: tenant.id };
}
