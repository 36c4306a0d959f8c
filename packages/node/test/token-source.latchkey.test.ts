/**
 * The retry behaviour that `token-source.test.ts` checks against a scripted HTTP server, proven against a real
 * Latchkey (issue 22): the token endpoint's own 429 (rate limit) and 503 (database gone, behind a TCP proxy of
 * the test's own) with their Retry-After; the source waits what the server said, retries, and gets a token
 * that introspects active; it gives up after maxRetries while the outage lasts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTenantWithClient, issuerOf, startTestServer } from '../../server/test/support/server.ts';
import type { TenantWithClient, TestServer } from '../../server/test/support/server.ts';
import { createTestDatabase } from '../../server/test/support/databases.ts';
import type { TestDatabase } from '../../server/test/support/databases.ts';
import { basicAuth, postForm } from '../../server/test/support/http.ts';
import { TcpProxy } from '../../server/test/support/tcp-proxy.ts';
import { createTokenSource, TokenRequestError } from '../src/index.ts';

async function active(server: TestServer, acme: TenantWithClient, token: string): Promise<boolean> {
  const response = await postForm(`${issuerOf(server, acme.tenant.slug)}/oauth2/introspect`, { token }, { authorization: basicAuth(acme.clientId, acme.clientSecret) });
  return ((await response.json()) as { active: boolean }).active;
}

describe('token source retries against Latchkey: 429 from the rate limit', () => {
  let server: TestServer;
  let acme: TenantWithClient;
  before(async () => {
    server = await startTestServer('sqlite', { LATCHKEY_RATE_LIMIT_PER_CLIENT: '1', LATCHKEY_RATE_LIMIT_WINDOW_SECONDS: '2' });
    acme = await createTenantWithClient(server, 'acme');
  });
  after(() => server.stop());

  it("waits the server's Retry-After on 429, then gets a token", async () => {
    // Another caller of the same client uses up the window.
    assert.equal((await postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: acme.clientId, client_secret: acme.clientSecret })).status, 200);
    const answers: Array<{ status: number; retryAfter: string | null }> = [];
    const recording: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (String(input).endsWith('/oauth2/token')) answers.push({ status: response.status, retryAfter: response.headers.get('retry-after') });
      return response;
    };
    const waits: number[] = [];
    // The wait is real (what the server asked for): the next window opens by then.
    const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(() => resolve(void waits.push(ms)), ms));
    const source = createTokenSource({ tokenEndpoint: `${issuerOf(server, 'acme')}/oauth2/token`, clientId: acme.clientId, clientSecret: acme.clientSecret, fetch: recording, sleep });
    const token = await source.getToken();
    assert.equal(answers[0]!.status, 429);
    assert.match(answers[0]!.retryAfter ?? '', /^\d+$/);
    assert.deepEqual(waits, [Number(answers[0]!.retryAfter) * 1000], 'waited exactly what Latchkey said');
    assert.equal(answers.at(-1)!.status, 200);
    assert.equal(await active(server, acme, token), true);
  });
});

describe('token source retries against Latchkey: 503 while PostgreSQL is gone', () => {
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
    // No directory cache: every token request needs the database.
    server = await startTestServer('postgres', { LATCHKEY_DATABASE_URL: proxied.href, LATCHKEY_DATABASE_TIMEOUT_SECONDS: '1', LATCHKEY_CACHE_TTL_SECONDS: '0' }, database);
    acme = await createTenantWithClient(server, 'acme');
  });
  after(async () => {
    proxy.restore();
    await server.stop();
    await proxy.close();
    await database.drop();
  });

  it('retries a 503 after its Retry-After and gives up after maxRetries while the database stays gone', async () => {
    proxy.cut('refuse');
    try {
      const statuses: number[] = [];
      const waits: number[] = [];
      const recording: typeof fetch = async (input, init) => {
        const response = await fetch(input, init);
        if (String(input).endsWith('/oauth2/token')) statuses.push(response.status);
        return response;
      };
      // The token endpoint named directly: discovery needs the database too.
      const source = createTokenSource({ tokenEndpoint: `${issuerOf(server, 'acme')}/oauth2/token`, clientId: acme.clientId, clientSecret: acme.clientSecret, fetch: recording, maxRetries: 2, sleep: async (ms) => void waits.push(ms) });
      await assert.rejects(source.getToken(), (error: TokenRequestError) => error.status === 503 && error.error === 'temporarily_unavailable');
      assert.deepEqual(statuses, [503, 503, 503]);
      assert.equal(waits.length, 2);
      assert.ok(waits.every((ms) => ms >= 1000 && ms % 1000 === 0), `the server's Retry-After seconds: ${waits.join(', ')}`);
    } finally {
      proxy.restore();
    }
  });

  it('gets a token once the database is back within its retries', async () => {
    proxy.cut('refuse');
    const statuses: number[] = [];
    const recording: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (String(input).endsWith('/oauth2/token')) statuses.push(response.status);
      return response;
    };
    // The outage ends during the first wait: the database comes back, and the retry succeeds.
    const sleep = async () => {
      proxy.restore();
      for (let attempt = 0; attempt < 100 && (await fetch(`${server.url}/readyz`)).status !== 200; attempt++) await new Promise((resolve) => setTimeout(resolve, 200));
    };
    const source = createTokenSource({ tokenEndpoint: `${issuerOf(server, 'acme')}/oauth2/token`, clientId: acme.clientId, clientSecret: acme.clientSecret, fetch: recording, sleep });
    const token = await source.getToken();
    assert.equal(statuses[0], 503);
    assert.equal(statuses.at(-1), 200);
    assert.equal(await active(server, acme, token), true);
  });
});
