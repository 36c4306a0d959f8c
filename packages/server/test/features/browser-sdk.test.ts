/** The browser SDK served as one ES module at /sdk/latchkey.js (types stripped, loadable cross-origin, cacheable). */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

describe('browser SDK route', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer('sqlite');
  });
  after(() => server.stop());

  it('serves one JavaScript module exporting the SDK, with CORS and an ETag', async () => {
    const response = await fetch(`${server.url}/sdk/latchkey.js`, { headers: { origin: 'http://spa.example' } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    const code = await response.text();
    assert.doesNotMatch(code, /^import /m, 'self-contained: no imports to resolve');
    const sdk = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as Record<string, unknown>;
    for (const name of ['initOIDC', 'login', 'handleRedirectCallback', 'apiFetch', 'getUser', 'logout']) assert.equal(typeof sdk[name], 'function', name);
    const etag = response.headers.get('etag');
    assert.ok(etag);
    const again = await fetch(`${server.url}/sdk/latchkey.js`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
  });
});
