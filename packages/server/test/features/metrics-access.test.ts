/**
 * `/metrics` was open to anyone who could reach the server (issue 13, "Also"). It is served on loopback only by
 * default, or to a scraper that presents LATCHKEY_METRICS_TOKEN as a bearer token. A remote client is played
 * through a trusted proxy (X-Forwarded-For from 127.0.0.1), the way a load balancer would present it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { json } from '../support/http.ts';

const TOKEN = 'metrics-scraper-token-0123456789abcdef';

describe('/metrics without a token: loopback only (issue 13)', () => {
  let server: TestServer;
  let direct: TestServer;
  before(async () => {
    server = await startTestServer('sqlite', { LATCHKEY_TRUST_PROXY: '127.0.0.1' });
    direct = await startTestServer('sqlite');
  });
  after(async () => {
    await server.stop();
    await direct.stop();
  });

  it('serves a scrape from loopback', async () => {
    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /latchkey_http_requests_total/);
  });

  it('refuses a remote client with 403 and no metrics', async () => {
    const response = await fetch(`${server.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    assert.equal(response.status, 403);
    const body = await json(response);
    assert.equal(body.error, 'access_denied');
    assert.match(String(body.error_description), /LATCHKEY_METRICS_TOKEN/);
  });

  it('refuses a request a local reverse proxy forwarded, even when the proxy is not trusted', async () => {
    assert.equal((await fetch(`${direct.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status, 403);
    assert.equal((await fetch(`${direct.url}/metrics`, { headers: { forwarded: 'for=203.0.113.9' } })).status, 403);
    assert.equal((await fetch(`${direct.url}/metrics`)).status, 200);
  });
});

describe('/metrics with LATCHKEY_METRICS_TOKEN (issue 13)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer('sqlite', { LATCHKEY_TRUST_PROXY: '127.0.0.1', LATCHKEY_METRICS_TOKEN: TOKEN });
  });
  after(() => server.stop());

  const scrape = (headers: Record<string, string>) => fetch(`${server.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9', ...headers } });

  it('serves a remote scraper that presents the token', async () => {
    const response = await scrape({ authorization: `Bearer ${TOKEN}` });
    assert.equal(response.status, 200);
    assert.match(await response.text(), /latchkey_http_requests_total/);
  });

  it('answers 401 with a Bearer challenge for a missing or wrong token, from anywhere', async () => {
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${TOKEN}x` }, { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }]) {
      const response = await scrape(headers);
      assert.equal(response.status, 401, JSON.stringify(headers));
      assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer realm="latchkey-metrics"/);
      assert.doesNotMatch(await response.text(), /latchkey_http/);
    }
    // With a token configured, loopback needs it too: one rule, whoever asks.
    assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
  });
});
