/**
 * Stateless instances (issue 7 builds on this): a sign-in started on one instance continues on another, because
 * interactions, sessions, codes and refresh tokens live in the database and CSRF tokens are derived from the
 * shared LATCHKEY_SECRET. Two servers on one database, the same public base URL, every step alternating.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { json, postForm } from '../support/http.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { CookieJar, authorizationUrl, createPkce, exchangeCode, fetchWithJar, postFormWithJar, readForm } from '../support/sign-in.ts';

for (const dialect of DIALECTS) {
  describe(`sign-in across instances (${dialect})`, () => {
    let a: TestServer;
    let b: TestServer;
    let acme: SignInFixture;

    before(async () => {
      a = await startTestServer(dialect);
      b = await startTestServer(dialect, { LATCHKEY_BASE_URL: a.ctx.config.baseUrl }, a.database);
      acme = await createSignInFixture(a, 'acme');
    });
    after(async () => {
      await b?.stop();
      await a?.stop();
    });

    /** The same URL, served by instance B (as a load balancer would route it). */
    const onB = (url: string) => url.replace(a.url, b.url);

    it('starts on A, signs in on B, consents on A, exchanges on B and refreshes on A', async () => {
      const jar = new CookieJar();
      const pkce = createPkce();
      const started = await fetchWithJar(jar, authorizationUrl({ ...acme, scope: 'openid offline_access' }, pkce, 'xs', 'xn'));
      assert.equal(started.status, 303);
      const loginPage = await fetchWithJar(jar, onB(started.headers.get('location')!));
      assert.equal(loginPage.status, 200);
      const login = readForm(await loginPage.text());
      const signedIn = await postFormWithJar(jar, onB(login.action), { ...login.fields, login: acme.login, password: acme.password });
      assert.equal(signedIn.status, 303);
      const consentPage = await fetchWithJar(jar, signedIn.headers.get('location')!);
      assert.equal(consentPage.status, 200);
      const consent = readForm(await consentPage.text());
      const answered = await postFormWithJar(jar, consent.action, { ...consent.fields, decision: 'allow' });
      assert.equal(answered.status, 303);
      const callback = new URL(answered.headers.get('location')!);
      assert.equal(callback.searchParams.get('state'), 'xs');
      assert.equal(callback.searchParams.get('iss'), acme.issuer);

      const exchanged = await exchangeCode({ ...acme, issuer: onB(acme.issuer), code: callback.searchParams.get('code')!, codeVerifier: pkce.verifier });
      assert.equal(exchanged.status, 200);
      const tokens = await json(exchanged);
      const refreshed = await postForm(`${acme.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string, client_id: acme.clientId, client_secret: acme.clientSecret });
      assert.equal(refreshed.status, 200);
      const userinfo = await fetch(onB(`${acme.issuer}/oauth2/userinfo`), { headers: { authorization: `Bearer ${(await json(refreshed)).access_token}` } });
      assert.equal(userinfo.status, 200);

      // The session made on B is known to A: single sign-on with prompt=none.
      const silent = await fetchWithJar(jar, authorizationUrl({ ...acme, scope: 'openid', extra: { prompt: 'none' } }, createPkce(), 's2', 'n2'));
      assert.equal(silent.status, 303);
      assert.ok(new URL(silent.headers.get('location')!).searchParams.get('code'));
    });
  });
}
