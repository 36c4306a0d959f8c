/**
 * Faults (issue 7): PostgreSQL taken away behind a TCP proxy of the test's own, in two ways (refused, and
 * blackholed so that its connections hang forever) → `/readyz` 503, requests answer 503 with Retry-After
 * instead of hanging, the process stays up; and it serves again by itself once the database is back.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../support/databases.ts';
import type { TestDatabase } from '../support/databases.ts';
import { createTenantWithClient, startTestServer } from '../support/server.ts';
import type { TenantWithClient, TestServer } from '../support/server.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import { clientCredentials } from '../support/tokens.ts';

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
    server = await startTestServer('postgres', { LATCHKEY_DATABASE_URL: proxied.href, LATCHKEY_DATABASE_TIMEOUT_SECONDS: '1' }, database);
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
