/**
 * The browser SDK's token handling, run in Node against the demo (real Latchkey, real hosted pages) with the
 * few browser globals it needs (location, sessionStorage) stood in: sign-in with PKCE, then apiFetch against an
 * API that refuses the first access token it sees — five concurrent calls cause one refresh and all succeed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { startDemo } from '../../../examples/demo/src/start-demo.ts';
import type { Demo } from '../../../examples/demo/src/start-demo.ts';
import { followSignIn } from '../../../examples/demo/test/support/hosted-login.ts';
import { apiFetch, getUser, handleRedirectCallback, initOIDC, login, OIDCError } from '../src/index.ts';

class MemoryStorage {
  readonly #items = new Map<string, string>();
  getItem(key: string) {
    return this.#items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.#items.set(key, value);
  }
  removeItem(key: string) {
    this.#items.delete(key);
  }
}

describe('browser SDK token handling', () => {
  let demo: Demo;
  let api: Server;
  let apiUrl: string;
  let assigned: string | undefined;
  const seenTokens: string[] = [];
  let refreshes = 0;

  before(async () => {
    demo = await startDemo();
    Object.assign(globalThis, {
      sessionStorage: new MemoryStorage(),
      location: { href: `${demo.urls.spa}/`, assign: (url: string) => void (assigned = url) },
    });
    // The first access token is refused, as if it had just expired; any later one is accepted.
    api = createServer((req, res) => {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!seenTokens.includes(token)) seenTokens.push(token);
      const refused = token === seenTokens[0];
      res.writeHead(refused ? 401 : 200, { 'content-type': 'application/json', ...(refused ? { 'www-authenticate': 'Bearer error="invalid_token"' } : {}) });
      res.end(JSON.stringify({ ok: !refused }));
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const address = api.address();
    apiUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const realFetch = globalThis.fetch;
    globalThis.fetch = async (input, init) => {
      if (String(input).endsWith('/oauth2/token') && String(init?.body).includes('grant_type=refresh_token')) refreshes += 1;
      return realFetch(input, init);
    };
  });
  after(async () => {
    await new Promise<void>((resolve) => api.close(() => resolve()));
    await demo.stop();
  });

  it('apiFetch before sign-in fails with login_required', async () => {
    initOIDC({ issuer: demo.seed.issuer, clientId: demo.seed.spaClientId, redirectUri: `${demo.urls.spa}/callback` });
    await assert.rejects(apiFetch(`${apiUrl}/v1/me`), (error: OIDCError) => error.code === 'login_required');
  });

  it('signs in with PKCE, checks state and nonce, and keeps the user', async () => {
    await login();
    assert.ok(assigned);
    const callback = await followSignIn(assigned, `${demo.urls.spa}/callback`, demo.seed.user.email, demo.seed.user.password);
    assert.equal(callback.searchParams.get('iss'), demo.seed.issuer);
    const user = await handleRedirectCallback(callback.href);
    assert.equal(user?.sub, demo.seed.user.id);
    assert.equal(getUser()?.email, demo.seed.user.email);
    await assert.rejects(handleRedirectCallback(callback.href), (error: OIDCError) => error.code === 'state_mismatch', 'a response is used once');
  });

  it('refuses a sign-in response without `iss` when the issuer advertises RFC 9207 (issue 13, 11)', async () => {
    const signedIn = getUser();
    await login();
    const callback = await followSignIn(assigned!, `${demo.urls.spa}/callback`, demo.seed.user.email, demo.seed.user.password);
    callback.searchParams.delete('iss');
    await assert.rejects(handleRedirectCallback(callback.href), (error: OIDCError) => error.code === 'issuer_missing');
    assert.equal(getUser(), signedIn, 'the earlier sign-in is kept');
  });

  it('on 401, refreshes once for all concurrent callers and retries each request once', async () => {
    const responses = await Promise.all(Array.from({ length: 5 }, () => apiFetch(`${apiUrl}/v1/mailboxes`)));
    assert.deepEqual(responses.map((response) => response.status), [200, 200, 200, 200, 200]);
    assert.equal(refreshes, 1);
    assert.equal(seenTokens.length, 2, 'one refused token, one refreshed token');
    assert.equal((await apiFetch(`${apiUrl}/v1/me`)).status, 200);
    assert.equal(refreshes, 1);
  });
});
