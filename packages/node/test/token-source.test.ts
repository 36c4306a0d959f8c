/**
 * The client-credentials token source: against a real Latchkey server (single flight, renewal before expiry)
 * and against a local HTTP server that answers 429 / 503 first (Retry-After honoured, backoff).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createTenantWithClient, issuerOf, startTestServer } from '../../server/test/support/server.ts';
import type { TenantWithClient, TestServer } from '../../server/test/support/server.ts';
import { createTokenSource, retryAfterMs, TokenRequestError } from '../src/index.ts';

describe('token source against Latchkey', () => {
  let server: TestServer;
  let acme: TenantWithClient;
  let tokenRequests = 0;
  const counting: typeof fetch = (input, init) => {
    if (String(input).endsWith('/oauth2/token')) tokenRequests += 1;
    return fetch(input, init);
  };

  before(async () => {
    server = await startTestServer('sqlite');
    acme = await createTenantWithClient(server, 'acme');
  });
  after(() => server.stop());

  it('serves 100 concurrent callers with one token request', async () => {
    tokenRequests = 0;
    const source = createTokenSource({ issuer: issuerOf(server, 'acme'), clientId: acme.clientId, clientSecret: acme.clientSecret, scope: 'openid', fetch: counting });
    const tokens = await Promise.all(Array.from({ length: 100 }, () => source.getToken()));
    assert.equal(tokenRequests, 1);
    assert.equal(new Set(tokens).size, 1);
  });

  it('renews before expiry, not after', async () => {
    tokenRequests = 0;
    let clock = Date.now();
    const source = createTokenSource({ tokenEndpoint: `${server.url}/oauth2/token`, clientId: acme.clientId, clientSecret: acme.clientSecret, fetch: counting, now: () => clock });
    const first = await source.getToken();
    clock += 3_500_000; // 58 minutes of a 60-minute token: still before the renewal point
    assert.equal(await source.getToken(), first);
    assert.equal(tokenRequests, 1);
    clock += 50_000; // 59 min 10 s: inside the last minute
    const renewed = await source.getToken();
    assert.equal(tokenRequests, 2);
    assert.notEqual(renewed, first);
  });

  it('does not retry a refused client', async () => {
    const source = createTokenSource({ tokenEndpoint: `${server.url}/oauth2/token`, clientId: acme.clientId, clientSecret: 'wrong', fetch: counting });
    tokenRequests = 0;
    await assert.rejects(source.getToken(), (error: TokenRequestError) => error.status === 401 && error.error === 'invalid_client');
    assert.equal(tokenRequests, 1);
  });
});

describe('token source retries', () => {
  let http: Server;
  let url: string;
  const script: Array<{ status: number; headers?: Record<string, string> }> = [];
  let hits = 0;

  before(async () => {
    http = createServer((_req, res) => {
      hits += 1;
      const next = script.shift() ?? { status: 200 };
      if (next.status === 200) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: `token-${hits}`, token_type: 'Bearer', expires_in: 3600 }));
        return;
      }
      res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
      res.end(JSON.stringify({ error: 'slow_down', error_description: 'busy' }));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const address = http.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/token`;
  });
  after(() => new Promise<void>((resolve) => http.close(() => resolve())));

  it('honours Retry-After on 429, then succeeds', async () => {
    hits = 0;
    script.push({ status: 429, headers: { 'retry-after': '2' } });
    const waits: number[] = [];
    const source = createTokenSource({ tokenEndpoint: url, clientId: 'c', clientSecret: 's', sleep: async (ms) => void waits.push(ms) });
    assert.equal(await source.getToken(), 'token-2');
    assert.equal(hits, 2);
    assert.deepEqual(waits, [2000]);
  });

  it('backs off exponentially on 5xx without Retry-After, and gives up after maxRetries', async () => {
    hits = 0;
    script.push({ status: 503 }, { status: 502 }, { status: 500 });
    const waits: number[] = [];
    const source = createTokenSource({ tokenEndpoint: url, clientId: 'c', clientSecret: 's', maxRetries: 2, baseDelayMs: 100, sleep: async (ms) => void waits.push(ms) });
    await assert.rejects(source.getToken(), (error: TokenRequestError) => error.status === 500);
    assert.equal(hits, 3);
    assert.equal(waits.length, 2);
    assert.ok(waits[0]! >= 50 && waits[0]! <= 100 && waits[1]! >= 100 && waits[1]! <= 200, `backoff ${waits.join(', ')}`);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    assert.equal(retryAfterMs('3'), 3000);
    assert.equal(retryAfterMs(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.equal(retryAfterMs(null), undefined);
    assert.equal(retryAfterMs('soon'), undefined);
  });
});

describe('token source discovery (issue 13, Also)', () => {
  let http: Server;
  let issuer: string;
  const posts: string[] = [];

  before(async () => {
    // A discovery document that names another issuer (a mis-routed or spoofed host) with its own token endpoint.
    http = createServer((req, res) => {
      if (req.method === 'POST') posts.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.method === 'POST' ? { access_token: 'stolen', expires_in: 3600 } : { issuer: 'https://id.example.com/t/acme', token_endpoint: `${issuer}/collect` }));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const address = http.address();
    issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/t/acme`;
  });
  after(() => new Promise<void>((resolve) => http.close(() => resolve())));

  it('refuses a discovery document naming another issuer before sending the secret, without retrying', async () => {
    const waits: number[] = [];
    const source = createTokenSource({ issuer, clientId: 'c', clientSecret: 's', sleep: async (ms) => void waits.push(ms) });
    await assert.rejects(source.getToken(), /issuer/);
    assert.deepEqual(posts, [], 'the client secret was never sent');
    assert.deepEqual(waits, [], 'a wrong issuer is not a transient failure');
  });
});
