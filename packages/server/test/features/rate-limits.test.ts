/**
 * The token endpoint limits requests per client and per IP: 429 with Retry-After past the configured count. The
 * per-client limit counts only requests that authenticate; failed authentications are counted on their own, so a
 * stranger who knows a client id cannot lock the real client out (issue 13, item 2). Each test gets its own
 * server (fresh counters), so any one runs alone.
 */
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
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

  it('answers 429 with Retry-After after the per-client limit, counting only authenticated requests', async () => {
    assert.equal((await tokenRequest(acme)).status, 200);
    assert.equal((await tokenRequest(acme, 'wrong')).status, 401);
    assert.equal((await tokenRequest(acme)).status, 200);
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

describe('a stranger cannot lock a client out of the token endpoint (issue 13, item 2)', () => {
  let server: TestServer;
  let acme: TenantWithClient;
  before(async () => {
    // No per-IP limit here: the stranger and the client share 127.0.0.1, and the per-IP limit is not the subject.
    server = await startTestServer('sqlite', { LATCHKEY_RATE_LIMIT_PER_CLIENT: '3', LATCHKEY_RATE_LIMIT_PER_IP: '0', LATCHKEY_RATE_LIMIT_WINDOW_SECONDS: '60' });
    acme = await createTenantWithClient(server, 'acme');
  });
  after(() => server.stop());

  const tokenRequest = (secret: string) => postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: acme.clientId, client_secret: secret });

  it('throttles wrong secrets on their own count and still serves the real client', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await tokenRequest('a-guessed-secret')).status, 401);
    const throttled = await tokenRequest('a-guessed-secret');
    assert.equal(throttled.status, 429);
    assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
    for (let i = 0; i < 3; i++) assert.equal((await tokenRequest(acme.clientSecret)).status, 200, `authenticated request ${i + 1}`);
    // The wrong secrets stay throttled while the client works, and the client's own limit still holds.
    assert.equal((await tokenRequest('another-guess')).status, 429);
    assert.equal((await tokenRequest(acme.clientSecret)).status, 429);
  });
});

describe('per-IP limits group IPv6 addresses by /64 (issue 13, item 3)', () => {
  let server: TestServer;
  let acme: TenantWithClient;
  before(async () => {
    // Behind a trusted proxy on loopback, the client address comes from X-Forwarded-For.
    server = await startTestServer('sqlite', { LATCHKEY_RATE_LIMIT_PER_CLIENT: '0', LATCHKEY_RATE_LIMIT_PER_IP: '3', LATCHKEY_TRUST_PROXY: '127.0.0.1' });
    acme = await createTenantWithClient(server, 'acme');
  });
  after(() => server.stop());

  const from = (address: string) =>
    fetch(`${server.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': address },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: acme.clientId, client_secret: acme.clientSecret }),
    });

  it('counts every address of one /64 together, and another /64 apart', async () => {
    for (const address of ['2001:db8:7:1::1', '2001:db8:7:1::2', '2001:db8:7:1:ffff::3']) assert.equal((await from(address)).status, 200, address);
    assert.equal((await from('2001:db8:7:1:abcd::4')).status, 429, 'a fresh address in the same /64');
    assert.equal((await from('2001:db8:7:2::1')).status, 200, 'the next /64');
  });
});
