/**
 * The five security checks an outside audit found no test for (issue 22): each test below fails when its check
 * is removed (docs/testing.md says which test kills which mutant). Refresh tokens expire (RFC 6749 §6, the
 * tenant's refresh_token_lifetime); a CSRF token is bound to its form's purpose and to its interaction; only the
 * client a token was issued to may revoke it (RFC 7009 §2.1); and RP-initiated logout (OIDC RP-Initiated Logout
 * §2, §3) ends the session without asking only when the id_token_hint names this very session.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { basicAuth, json, postForm } from '../support/http.ts';
import { createSignInFixture, TEST_PASSWORD } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { CookieJar, authorizationUrl, createPkce, fetchWithJar, postFormWithJar, readForm, signIn, signInForTokens } from '../support/sign-in.ts';
import { createClient } from '../../src/directory/clients.ts';
import { createUser } from '../../src/directory/users.ts';
import { hashSecret } from '../../src/tokens/opaque.ts';

for (const dialect of DIALECTS) {
  describe(`security checks the audit's mutants removed (${dialect})`, () => {
    let server: TestServer;
    let acme: SignInFixture;

    before(async () => {
      server = await startTestServer(dialect);
      acme = await createSignInFixture(server, 'acme', { settings: { refresh_token_lifetime: 120 } });
    });
    after(() => server.stop());

    function refresh(token: string): Promise<Response> {
      return postForm(`${acme.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: token, client_id: acme.clientId, client_secret: acme.clientSecret });
    }

    function introspect(token: string): Promise<Response> {
      return postForm(`${acme.issuer}/oauth2/introspect`, { token }, { authorization: basicAuth(acme.clientId, acme.clientSecret) });
    }

    /** Starts an authorization in `jar` and returns the sign-in page's form (its interaction and CSRF token). */
    async function startAuthorization(jar: CookieJar) {
      // prompt=consent: the consent page is shown even when an earlier test already consented.
      const options = { issuer: acme.issuer, clientId: acme.clientId, redirectUri: acme.redirectUri, scope: 'openid', extra: { prompt: 'consent' } };
      const url = authorizationUrl(options, createPkce(), 'st', 'nn');
      const start = await fetchWithJar(jar, url);
      assert.equal(start.status, 303);
      const page = await fetchWithJar(jar, new URL(start.headers.get('location')!, acme.issuer).href);
      assert.equal(page.status, 200);
      return readForm(await page.text());
    }

    it('refuses a refresh token past the tenant refresh_token_lifetime with invalid_grant', async () => {
      const { tokens } = await signInForTokens({ ...acme, scope: 'openid offline_access' });
      const realNow = server.ctx.now;
      try {
        server.ctx.now = () => realNow() + 60_000;
        const young = await refresh(tokens.refresh_token as string);
        assert.equal(young.status, 200, 'a refresh token inside its lifetime works');
        const rotated = (await json(young)).refresh_token as string;
        server.ctx.now = () => realNow() + 60_000 + 121_000;
        const old = await refresh(rotated);
        assert.equal(old.status, 400);
        const body = await json(old);
        assert.equal(body.error, 'invalid_grant');
        assert.match(String(body.error_description), /expired/);
      } finally {
        server.ctx.now = realNow;
      }
    });

    it('treats a rotated-out refresh token presented after its expiry as a replay: the family is revoked and audited', async () => {
      const { tokens } = await signInForTokens({ ...acme, scope: 'openid offline_access' });
      const rotated = await refresh(tokens.refresh_token as string);
      assert.equal(rotated.status, 200);
      const replays = async () => (await server.ctx.db.selectFrom('audit_events').select('id').where('action', '=', 'refresh_token.reuse').execute()).length;
      const replaysBefore = await replays();
      const grantId = (await server.ctx.db.selectFrom('refresh_tokens').select('grant_id').where('token_hash', '=', hashSecret(tokens.refresh_token as string)).executeTakeFirstOrThrow()).grant_id;
      const realNow = server.ctx.now;
      try {
        server.ctx.now = () => realNow() + 121_000;
        const replay = await refresh(tokens.refresh_token as string);
        assert.equal((await json(replay)).error, 'invalid_grant');
      } finally {
        server.ctx.now = realNow;
      }
      const grant = await server.ctx.db.selectFrom('grants').select('revoked_at').where('id', '=', grantId).executeTakeFirstOrThrow();
      assert.notEqual(grant.revoked_at, null, 'the whole family was revoked');
      assert.equal(await replays(), replaysBefore + 1, 'the replay was audited');
    });

    it('refuses a consent form carrying the sign-in form CSRF token of the same interaction (bound to purpose)', async () => {
      const jar = new CookieJar();
      const login = await startAuthorization(jar);
      const signedIn = await postFormWithJar(jar, login.action, { ...login.fields, login: acme.login, password: TEST_PASSWORD, action: 'sign_in' });
      assert.equal(signedIn.status, 303);
      const consentPage = await fetchWithJar(jar, new URL(signedIn.headers.get('location')!, acme.issuer).href);
      const consent = readForm(await consentPage.text());
      assert.equal(consent.fields.interaction, login.fields.interaction, 'both forms belong to one interaction');
      assert.notEqual(consent.fields.csrf_token, login.fields.csrf_token);
      const crossed = await postFormWithJar(jar, consent.action, { ...consent.fields, csrf_token: login.fields.csrf_token!, decision: 'allow' });
      assert.equal(crossed.status, 403);
      assert.equal(crossed.headers.get('location'), null, 'no code was issued');
      const own = await postFormWithJar(jar, consent.action, { ...consent.fields, decision: 'allow' });
      assert.equal(own.status, 303, 'the consent form own token still works');
      assert.ok(new URL(own.headers.get('location')!).searchParams.get('code'));
    });

    it('refuses a sign-in form carrying the CSRF token of another interaction of the same browser (bound to interaction)', async () => {
      const jar = new CookieJar();
      const first = await startAuthorization(jar);
      const second = await startAuthorization(jar);
      assert.notEqual(first.fields.interaction, second.fields.interaction);
      const crossed = await postFormWithJar(jar, second.action, { ...second.fields, csrf_token: first.fields.csrf_token!, login: acme.login, password: TEST_PASSWORD, action: 'sign_in' });
      assert.equal(crossed.status, 403);
      assert.equal(jar.get('lk_session'), undefined, 'no session was started');
      const own = await postFormWithJar(jar, second.action, { ...second.fields, login: acme.login, password: TEST_PASSWORD, action: 'sign_in' });
      assert.equal(own.status, 303, 'the form own token still works');
    });

    it('refuses to let another client revoke this client access token; the token stays active (RFC 7009 §2.1)', async () => {
      const { tokens } = await signInForTokens({ ...acme, scope: 'openid' });
      const other = await createClient(server.ctx, acme.tenant, { name: 'other', redirectUris: [acme.redirectUri] });
      for (const hint of [{}, { token_type_hint: 'access_token' }] as Array<Record<string, string>>) {
        const foreign = await postForm(`${acme.issuer}/oauth2/revoke`, { token: tokens.access_token as string, client_id: other.client.clientId, client_secret: other.clientSecret!, ...hint });
        assert.equal(foreign.status, 400);
        assert.equal((await json(foreign)).error, 'unauthorized_client');
        assert.equal((await json(await introspect(tokens.access_token as string))).active, true, 'still active after a foreign revocation');
      }
      const userinfo = await fetch(`${acme.issuer}/oauth2/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(userinfo.status, 200);
      const own = await postForm(`${acme.issuer}/oauth2/revoke`, { token: tokens.access_token as string, client_id: acme.clientId, client_secret: acme.clientSecret });
      assert.equal(own.status, 200);
      assert.deepEqual(await json(await introspect(tokens.access_token as string)), { active: false });
    });

    it('refuses a confidential client that presents only its client_id (no secret) at the token and introspection endpoints', async () => {
      const fresh = await signIn({ ...acme, scope: 'openid' });
      const exchange = await postForm(`${acme.issuer}/oauth2/token`, { grant_type: 'authorization_code', code: fresh.code!, redirect_uri: acme.redirectUri, client_id: acme.clientId, code_verifier: fresh.pkce.verifier });
      assert.equal(exchange.status, 401);
      assert.equal((await json(exchange)).error, 'invalid_client');
      const machine = await createClient(server.ctx, acme.tenant, { name: 'machine', grantTypes: ['client_credentials'] });
      const token = await postForm(`${acme.issuer}/oauth2/token`, { grant_type: 'client_credentials', client_id: machine.client.clientId });
      assert.equal(token.status, 401);
      assert.equal((await json(token)).error, 'invalid_client');
      const introspection = await postForm(`${acme.issuer}/oauth2/introspect`, { token: 'anything', client_id: acme.clientId });
      assert.equal(introspection.status, 401);
    });

    it('refuses client_credentials to a public client even when its stored row lists the grant (an import or an older version)', async () => {
      const spa = await createClient(server.ctx, acme.tenant, { name: 'spa', type: 'public', redirectUris: [acme.redirectUri] });
      await server.ctx.db.updateTable('clients').set({ grant_types: JSON.stringify(['authorization_code', 'client_credentials']) }).where('client_id', '=', spa.client.clientId).execute();
      const token = await postForm(`${acme.issuer}/oauth2/token`, { grant_type: 'client_credentials', client_id: spa.client.clientId });
      assert.equal(token.status, 400);
      assert.equal((await json(token)).error, 'unauthorized_client');
    });

    it("refuses at one tenant's authorization endpoint a client of another tenant, without redirecting", async () => {
      const beta = await createSignInFixture(server, 'beta', { redirectUri: 'http://127.0.0.1:5998/callback' });
      const url = authorizationUrl({ issuer: acme.issuer, clientId: beta.clientId, redirectUri: beta.redirectUri, scope: 'openid' }, createPkce(), 'st', 'nn');
      const response = await fetchWithJar(new CookieJar(), url);
      assert.equal(response.status, 400);
      assert.equal(response.headers.get('location'), null, 'an unknown client gets no redirect (RFC 6749 §4.1.2.1)');
      assert.match(await response.text(), /not known here/);
    });

    it('refuses an authorization request of a public client without PKCE (RFC 9700 §2.1.1), back at its redirect URI', async () => {
      const spa = await createClient(server.ctx, acme.tenant, { name: 'spa without pkce', type: 'public', redirectUris: [acme.redirectUri] });
      const url = authorizationUrl({ issuer: acme.issuer, clientId: spa.client.clientId, redirectUri: acme.redirectUri, scope: 'openid' }, undefined, 'st', 'nn');
      const response = await fetchWithJar(new CookieJar(), url);
      assert.equal(response.status, 303);
      const callback = new URL(response.headers.get('location')!);
      assert.equal(`${callback.origin}${callback.pathname}`, acme.redirectUri);
      assert.equal(callback.searchParams.get('error'), 'invalid_request');
      assert.match(callback.searchParams.get('error_description') ?? '', /PKCE is required/);
      assert.equal(callback.searchParams.get('state'), 'st');
    });

    it("refuses a sign-in form carrying another browser's CSRF token for the same interaction (bound to the browser cookie)", async () => {
      const victim = new CookieJar();
      const form = await startAuthorization(victim);
      const attacker = new CookieJar();
      await startAuthorization(attacker);
      assert.ok(attacker.get('lk_csrf') && attacker.get('lk_csrf') !== victim.get('lk_csrf'), 'each browser has its own CSRF cookie');
      const crossed = await postFormWithJar(attacker, form.action, { ...form.fields, login: acme.login, password: TEST_PASSWORD, action: 'sign_in' });
      assert.equal(crossed.status, 403);
      assert.equal(attacker.get('lk_session'), undefined, 'no session was started');
    });

    it('refuses introspection and revocation to a public client and to a client of another tenant (RFC 7662 §2.1, RFC 7009 §2.1)', async () => {
      const { tokens } = await signInForTokens({ ...acme, scope: 'openid' });
      const spa = await createClient(server.ctx, acme.tenant, { name: 'spa introspecting', type: 'public', redirectUris: [acme.redirectUri] });
      const publicCall = await postForm(`${acme.issuer}/oauth2/introspect`, { token: tokens.access_token as string, client_id: spa.client.clientId });
      assert.equal(publicCall.status, 401);
      assert.equal((await json(publicCall)).error, 'invalid_client');
      const gamma = await createSignInFixture(server, 'gamma');
      for (const endpoint of ['introspect', 'revoke']) {
        const foreign = await postForm(`${acme.issuer}/oauth2/${endpoint}`, { token: tokens.access_token as string }, { authorization: basicAuth(gamma.clientId, gamma.clientSecret) });
        assert.equal(foreign.status, 401, endpoint);
        assert.equal((await json(foreign)).error, 'invalid_client');
      }
      assert.equal((await json(await introspect(tokens.access_token as string))).active, true, 'the token is untouched');
    });

    /** A browser holding only this session cookie value: is it signed in? */
    async function cookieSignedIn(sessionCookie: string): Promise<boolean> {
      const jar = new CookieJar();
      jar.store({ headers: { getSetCookie: () => [`lk_session=${sessionCookie}; Path=/t/acme`] } } as unknown as Response);
      return (await signIn({ ...acme, scope: 'openid', jar, extra: { prompt: 'none' } })).code !== undefined;
    }

    it('never keeps a session cookie value the browser brought along (session fixation)', async () => {
      const jar = new CookieJar();
      const planted = 'planted-by-an-attacker-0123456789abcdefghijklmnop';
      jar.store({ headers: { getSetCookie: () => [`lk_session=${planted}; Path=/t/acme`] } } as unknown as Response);
      const signedIn = await signIn({ ...acme, scope: 'openid', jar });
      assert.ok(signedIn.code);
      assert.ok(jar.get('lk_session') && jar.get('lk_session') !== planted, 'a fresh session cookie');
      assert.equal(await cookieSignedIn(planted), false, 'the planted value opens no session');
      assert.equal(await cookieSignedIn(jar.get('lk_session')!), true);
    });

    it('ends the session on the server at sign-out, not only the cookie', async () => {
      const { tokens, result } = await signInForTokens({ ...acme, scope: 'openid' });
      const cookie = result.jar.get('lk_session')!;
      assert.equal(await cookieSignedIn(cookie), true);
      const done = await fetchWithJar(result.jar, logoutUrl(tokens.id_token as string));
      assert.equal(done.status, 303);
      assert.equal(await cookieSignedIn(cookie), false, 'a copy of the old cookie is signed out too');
    });

    it("ends the previous user's session when another user signs in in the same browser", async () => {
      const first = await signInForTokens({ ...acme, scope: 'openid' });
      const firstCookie = first.result.jar.get('lk_session')!;
      await createUser(server.ctx, acme.tenant, { email: 'cy@acme.example', password: TEST_PASSWORD });
      const second = await signIn({ ...acme, login: 'cy@acme.example', password: TEST_PASSWORD, scope: 'openid', jar: first.result.jar, extra: { prompt: 'login' } });
      assert.ok(second.code);
      assert.notEqual(first.result.jar.get('lk_session'), firstCookie);
      assert.equal(await cookieSignedIn(firstCookie), false, "the first user's session ended");
    });

    it('ends refresh for a grant without offline_access once its browser session has expired', async () => {
      const online = await createSignInFixture(server, 'online');
      const { tokens } = await signInForTokens({ ...online, scope: 'openid' });
      assert.equal(typeof tokens.refresh_token, 'string');
      const refreshOnline = () => postForm(`${online.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string, client_id: online.clientId, client_secret: online.clientSecret, scope: 'openid' });
      const realNow = server.ctx.now;
      try {
        // The session lives LATCHKEY_SESSION_LIFETIME_SECONDS (1 day); the refresh token 30 days.
        server.ctx.now = () => realNow() + (server.config.sessionLifetime + 60) * 1000;
        const refused = await refreshOnline();
        assert.equal((await json(refused)).error, 'invalid_grant');
      } finally {
        server.ctx.now = realNow;
      }
    });

    it('refuses an access token as id_token_hint at logout (it is not an ID token), and ends nothing', async () => {
      const { tokens, result } = await signInForTokens({ ...acme, scope: 'openid' });
      const response = await fetchWithJar(result.jar, logoutUrl(tokens.access_token as string));
      assert.equal(response.status, 400);
      assert.match(await response.text(), /not an ID token/);
      assert.ok(await stillSignedIn(result.jar));
    });

    function logoutUrl(idTokenHint: string): string {
      const url = new URL(`${acme.issuer}/oauth2/logout`);
      url.searchParams.set('id_token_hint', idTokenHint);
      url.searchParams.set('post_logout_redirect_uri', acme.postLogoutRedirectUri);
      return url.href;
    }

    async function stillSignedIn(jar: CookieJar): Promise<boolean> {
      return (await signIn({ ...acme, scope: 'openid', jar, extra: { prompt: 'none' } })).code !== undefined;
    }

    it('asks before ending the session when the id_token_hint names another user (logout CSRF)', async () => {
      const ada = await signInForTokens({ ...acme, scope: 'openid' });
      const bo = await createUser(server.ctx, acme.tenant, { email: 'bo@acme.example', password: TEST_PASSWORD });
      const boTokens = (await signInForTokens({ ...acme, login: 'bo@acme.example', password: TEST_PASSWORD, scope: 'openid' })).tokens;
      assert.ok(bo.id);
      const response = await fetchWithJar(ada.result.jar, logoutUrl(boTokens.id_token as string));
      assert.equal(response.status, 200, 'a confirmation page, not a redirect');
      assert.match(await response.text(), /Sign out\?/);
      assert.ok(await stillSignedIn(ada.result.jar), 'the session of the browser is untouched');
    });

    it('asks before ending the session when the id_token_hint names another session of the same user', async () => {
      const here = await signInForTokens({ ...acme, scope: 'openid' });
      const elsewhere = (await signInForTokens({ ...acme, scope: 'openid' })).tokens;
      const response = await fetchWithJar(here.result.jar, logoutUrl(elsewhere.id_token as string));
      assert.equal(response.status, 200, 'a confirmation page, not a redirect');
      assert.match(await response.text(), /Sign out\?/);
      assert.ok(await stillSignedIn(here.result.jar));
      const own = await fetchWithJar(here.result.jar, logoutUrl(here.tokens.id_token as string));
      assert.equal(own.status, 303, 'the hint of this very session ends it at once');
      assert.equal(await stillSignedIn(here.result.jar), false);
    });
  });
}
