/**
 * Same-origin session mode: the encrypted HttpOnly cookie, CSRF on unsafe methods, refusal of an expired
 * session without a refresh token, and the login redirect with PKCE and a sealed state cookie.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTenantWithClient, issuerOf, startTestServer } from '../../server/test/support/server.ts';
import type { TenantWithClient, TestServer } from '../../server/test/support/server.ts';
import { postForm } from '../../server/test/support/http.ts';
import { createIdpClient, createSessionCookies, createVerifier, protectSession, requireGroup, sessionAuthRoutes } from '../src/index.ts';
import type { SessionCookies, Verifier, IdpClient } from '../src/index.ts';

const SECRET = 'a-session-secret-of-at-least-32-characters!';

describe('session mode', () => {
  let server: TestServer;
  let acme: TenantWithClient;
  let verifier: Verifier;
  let idp: IdpClient;
  let sessions: SessionCookies;
  let clock = Date.now();
  let cookie: string;
  let csrf: string;

  before(async () => {
    server = await startTestServer('sqlite');
    acme = await createTenantWithClient(server, 'acme', { redirectUris: ['https://app.test/auth/callback'] });
    verifier = createVerifier({ issuer: issuerOf(server, 'acme'), audience: acme.clientId });
    idp = createIdpClient(verifier.discovery, { clientId: acme.clientId, clientSecret: acme.clientSecret });
    sessions = createSessionCookies({ secret: SECRET, now: () => clock });
    const response = await postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: acme.clientId, client_secret: acme.clientSecret });
    const session = sessions.fromTokens((await response.json()) as { access_token: string; token_type: string; expires_in: number });
    csrf = session.csrf;
    const setCookie = sessions.write(session);
    assert.match(setCookie, /; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure$/);
    cookie = setCookie.split(';')[0] as string;
    assert.doesNotMatch(cookie, /eyJ/, 'the tokens are not readable in the cookie');
  });
  after(() => server.stop());

  const handler = () => protectSession({ sessions, idp, verifier, now: () => clock }, [], (_request, principal) => Response.json({ sub: principal.sub }));

  it('authenticates a GET by the session cookie', async () => {
    const response = await handler()(new Request('http://app.test/v1/mailboxes', { headers: { cookie } }));
    assert.equal(response.status, 200);
    assert.match(((await response.json()) as { sub: string }).sub, /^usr_/);
  });

  it('refuses a tampered cookie and a missing one with 401', async () => {
    const tampered = `${cookie.slice(0, -4)}AAAA`;
    assert.equal((await handler()(new Request('http://app.test/v1/mailboxes', { headers: { cookie: tampered } }))).status, 401);
    assert.equal((await handler()(new Request('http://app.test/v1/mailboxes'))).status, 401);
  });

  it('needs the CSRF token on unsafe methods and refuses another origin', async () => {
    const post = (headers: Record<string, string>) => handler()(new Request('http://app.test/v1/drafts', { method: 'POST', headers: { cookie, ...headers } }));
    assert.equal((await post({})).status, 401);
    assert.equal((await post({ 'x-csrf-token': 'wrong' })).status, 401);
    assert.equal((await post({ 'x-csrf-token': csrf, origin: 'http://evil.test' })).status, 401);
    assert.equal((await post({ 'x-csrf-token': csrf, origin: 'http://app.test' })).status, 200);
  });

  it('applies guards: 403 for a session lacking the group', async () => {
    const guarded = protectSession({ sessions, idp, verifier, now: () => clock }, [requireGroup('mail-users')], () => Response.json({}));
    assert.equal((await guarded(new Request('http://app.test/v1/mailboxes', { headers: { cookie } }))).status, 403);
  });

  it('refuses an expired session that has no refresh token', async () => {
    clock += 3_600_000;
    try {
      const response = await handler()(new Request('http://app.test/v1/mailboxes', { headers: { cookie } }));
      assert.equal(response.status, 401);
    } finally {
      clock -= 3_600_000;
    }
  });

  it('GET /auth/login redirects to the authorization endpoint with PKCE, state and nonce in a sealed cookie', async () => {
    const routes = sessionAuthRoutes({ idp, verifier, sessions, secret: SECRET, redirectUri: 'https://app.test/auth/callback' });
    const response = await routes(new Request('http://app.test/auth/login'));
    assert.equal(response?.status, 302);
    const location = new URL(response?.headers.get('location') ?? '');
    assert.equal(`${location.origin}${location.pathname}`, `${issuerOf(server, 'acme')}/oauth2/authorize`);
    assert.equal(location.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(location.searchParams.get('state') && location.searchParams.get('nonce'));
    const loginCookie = response?.headers.get('set-cookie') ?? '';
    assert.match(loginCookie, /^lk_login=[^;]+; Path=\/auth; HttpOnly/);
    const callback = await routes(new Request(`https://app.test/auth/callback?code=x&state=forged`, { headers: { cookie: loginCookie.split(';')[0] as string } }));
    assert.equal(callback?.status, 401, 'a state other than the one this browser started with is refused');
    const session = await routes(new Request('http://app.test/auth/session'));
    assert.equal(session?.status, 401);
    const me = await routes(new Request('http://app.test/auth/session', { headers: { cookie } }));
    assert.equal(me?.status, 200);
    assert.equal(((await me?.json()) as { csrf_token: string }).csrf_token, csrf);
    const logout = await routes(new Request('http://app.test/auth/logout', { method: 'POST', headers: { cookie } }));
    assert.equal(logout?.status, 401, 'logout is CSRF-checked');
    const done = await routes(new Request('http://app.test/auth/logout', { method: 'POST', headers: { cookie, 'x-csrf-token': csrf } }));
    assert.equal(done?.status, 200);
    assert.match(done?.headers.get('set-cookie') ?? '', /^lk_session=; .*Max-Age=0/);
  });

  it('refuses a callback without `iss` when the issuer advertises RFC 9207, before spending the code (issue 13, 11)', async () => {
    assert.equal((await verifier.discovery.metadata()).authorization_response_iss_parameter_supported, true);
    const routes = sessionAuthRoutes({ idp, verifier, sessions, secret: SECRET, redirectUri: 'https://app.test/auth/callback' });
    const started = await routes(new Request('http://app.test/auth/login'));
    const state = new URL(started?.headers.get('location') ?? '').searchParams.get('state') ?? '';
    const headers = { cookie: (started?.headers.get('set-cookie') ?? '').split(';')[0] as string };
    const callback = (query: Record<string, string>) => routes(new Request(`https://app.test/auth/callback?${new URLSearchParams({ state, ...query })}`, { headers }));
    const missing = await callback({ code: 'x' });
    assert.equal(missing?.status, 401);
    assert.equal(((await missing?.json()) as { error: string }).error, 'issuer_missing');
    const wrong = await callback({ code: 'x', iss: 'https://evil.test' });
    assert.equal(((await wrong?.json()) as { error: string }).error, 'issuer_mismatch');
    const right = await callback({ code: 'x', iss: issuerOf(server, 'acme') });
    assert.equal(right?.status, 400, 'with the right iss the (bogus) code goes to the token endpoint');
    assert.equal(((await right?.json()) as { error: string }).error, 'invalid_grant');
  });
});
