/**
 * The token endpoint limits requests per client and per IP: 429 with Retry-After past the configured count.
 * Each test gets its own server (fresh counters), so any one runs alone.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTenantWithClient, startTestServer } from '../support/server.ts';
import type { TenantWithClient, TestServer } from '../support/server.ts';
import { json, postForm } from '../support/http.ts';

describe('token endpoint rate limits', () => {
  let server: TestServer;
  let acme: TenantWithClient;
  let other: TenantWithClient;
  let third: TenantWithClient;
  beforeEach(async () => {
    server = await startTestServer('sqlite', { LATCHKEY_RATE_LIMIT_PER_CLIENT: '3', LATCHKEY_RATE_LIMIT_PER_IP: '8', LATCHKEY_RATE_LIMIT_WINDOW_SECONDS: '60' });
    acme = await createTenantWithClient(server, 'acme');
    other = await createTenantWithClient(server, 'other');
    third = await createTenantWithClient(server, 'third');
  });
  afterEach(() => server.stop());

  const tokenRequest = (client: TenantWithClient, secret = client.clientSecret) =>
    postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: client.clientId, client_secret: secret });

  it('answers 429 with Retry-After after the per-client limit, wrong secrets counted too', async () => {
    assert.equal((await tokenRequest(acme)).status, 200);
    assert.equal((await tokenRequest(acme, 'wrong')).status, 401);
    assert.equal((await tokenRequest(acme)).status, 200);
    const limited = await tokenRequest(acme);
    assert.equal(limited.status, 429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal((await json(limited)).error, 'too_many_requests');
  });

  it('limits each client separately, and every client of one IP together', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await tokenRequest(acme)).status, 200);
    assert.equal((await tokenRequest(acme)).status, 429);
    // Another client has its own budget.
    for (let i = 0; i < 3; i++) assert.equal((await tokenRequest(other)).status, 200);
    // 4 + 3 = 7 requests from this IP so far; the 8th is allowed by the IP limit but over the client's.
    assert.equal((await tokenRequest(other)).status, 429);
    // The IP limit (8) is now exhausted for every client, even one that has not asked yet.
    const limited = await tokenRequest(third);
    assert.equal(limited.status, 429);
    assert.ok(limited.headers.get('retry-after'));
  });
});
