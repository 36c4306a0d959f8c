/**
 * RP-initiated logout: `id_token_hint` for this session ends it at once and redirects to the exact registered
 * `post_logout_redirect_uri` with `state`; anything less asks the user first (CSRF-protected); afterwards
 * `prompt=none` answers `login_required`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { fetchWithJar, postFormWithJar, readForm, signIn, signInForTokens } from '../support/sign-in.ts';

for (const dialect of DIALECTS) {
  describe(`logout (${dialect})`, () => {
    let server: TestServer;
    let acme: SignInFixture;

    before(async () => {
      server = await startTestServer(dialect);
      acme = await createSignInFixture(server, 'acme');
    });
    after(() => server.stop());

    function logoutUrl(params: Record<string, string>): string {
      const url = new URL(`${acme.issuer}/oauth2/logout`);
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
      return url.href;
    }

    it('ends the session for an id_token_hint of this session and redirects with state; prompt=none then needs a login', async () => {
      const { tokens, result } = await signInForTokens({ ...acme, scope: 'openid' });
      const response = await fetchWithJar(result.jar, logoutUrl({ id_token_hint: tokens.id_token as string, post_logout_redirect_uri: acme.postLogoutRedirectUri, state: 'bye-1' }));
      assert.equal(response.status, 303);
      assert.equal(response.headers.get('location'), `${acme.postLogoutRedirectUri}?state=bye-1`);
      assert.match(response.headers.get('set-cookie') ?? '', /lk_session=; Path=\/t\/acme; HttpOnly; SameSite=Lax; Max-Age=0/);
      const silent = await signIn({ ...acme, scope: 'openid', jar: result.jar, extra: { prompt: 'none' } });
      assert.equal(silent.error, 'login_required');
      const audit = await server.ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'user.sign_out').execute();
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.actor_id, acme.user.id);
    });

    it('refuses an unregistered post_logout_redirect_uri with an error page, and ends nothing', async () => {
      const { tokens, result } = await signInForTokens({ ...acme, scope: 'openid' });
      for (const uri of [`${acme.postLogoutRedirectUri}/x`, 'https://evil.example/']) {
        const response = await fetchWithJar(result.jar, logoutUrl({ id_token_hint: tokens.id_token as string, post_logout_redirect_uri: uri }));
        assert.equal(response.status, 400);
        assert.equal(response.headers.get('location'), null);
        assert.match(await response.text(), /post_logout_redirect_uri is not registered/);
      }
      const stillIn = await signIn({ ...acme, scope: 'openid', jar: result.jar, extra: { prompt: 'none' } });
      assert.ok(stillIn.code);
    });

    it('asks for confirmation without a hint; the CSRF-protected form ends the session', async () => {
      const { result } = await signInForTokens({ ...acme, scope: 'openid' });
      const page = await fetchWithJar(result.jar, logoutUrl({ client_id: acme.clientId, post_logout_redirect_uri: acme.postLogoutRedirectUri, state: 'bye-2' }));
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /Sign out\?/);
      const { action, fields } = readForm(html);
      const forged = await postFormWithJar(result.jar, action, { ...fields, csrf_token: 'forged', decision: 'logout' });
      assert.equal(forged.status, 403);
      const stay = await postFormWithJar(result.jar, action, { ...fields, decision: 'stay' });
      assert.equal(stay.status, 200);
      assert.ok((await signIn({ ...acme, scope: 'openid', jar: result.jar, extra: { prompt: 'none' } })).code);
      const confirmed = await postFormWithJar(result.jar, action, { ...fields, decision: 'logout' });
      assert.equal(confirmed.status, 303);
      assert.equal(confirmed.headers.get('location'), `${acme.postLogoutRedirectUri}?state=bye-2`);
      assert.equal((await signIn({ ...acme, scope: 'openid', jar: result.jar, extra: { prompt: 'none' } })).error, 'login_required');
    });

    it('shows a signed-out page without a redirect URI, and refuses a hint that is not ours', async () => {
      const { tokens, result } = await signInForTokens({ ...acme, scope: 'openid' });
      const done = await fetchWithJar(result.jar, logoutUrl({ id_token_hint: tokens.id_token as string }));
      assert.equal(done.status, 200);
      assert.match(await done.text(), /You are signed out/);
      const forged = await fetchWithJar(result.jar, logoutUrl({ id_token_hint: `${(tokens.id_token as string).slice(0, -4)}AAAA` }));
      assert.equal(forged.status, 400);
    });
  });
}
