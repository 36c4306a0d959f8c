/**
 * Behind an https base URL every response carries Strict-Transport-Security (RFC 6797), so a browser that has
 * seen Latchkey once never again sends its sign-in form or cookies over plain http (issue 13, "Also"). A
 * deployment on plain http (development, loopback) sends none: the header means nothing there (RFC 6797 §7.2).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

describe('Strict-Transport-Security (issue 13)', () => {
  let https: TestServer;
  let plain: TestServer;
  before(async () => {
    https = await startTestServer('sqlite', { LATCHKEY_BASE_URL: 'https://id.example.com' });
    plain = await startTestServer('sqlite');
  });
  after(async () => {
    await https.stop();
    await plain.stop();
  });

  it('is sent on every response when the base URL is https: JSON, errors and pages', async () => {
    for (const path of ['/healthz', '/no/such/route', '/.well-known/openid-configuration', '/t/nobody/oauth2/authorize']) {
      const response = await fetch(`${https.url}${path}`, { redirect: 'manual' });
      assert.equal(response.headers.get('strict-transport-security'), 'max-age=31536000', path);
    }
  });

  it('is not sent when the base URL is plain http', async () => {
    assert.equal((await fetch(`${plain.url}/healthz`)).headers.get('strict-transport-security'), null);
  });
});
