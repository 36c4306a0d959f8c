/**
 * Independent clients (code nobody here wrote) sign a user in through Latchkey's hosted pages without a browser,
 * with their strict validations on: openid-client and oauth4webapi each discover the tenant, build the
 * authorization request (PKCE S256, state, nonce), validate the callback (state, RFC 9207 `iss`) and the ID token,
 * call userinfo with its `sub` check, refresh (a replayed refresh token is invalid_grant), and end the session
 * with RP-initiated logout, after which `prompt=none` answers login_required (docs/sign-in.md).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as openid from 'openid-client';
import * as oauth from 'oauth4webapi';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { fetchWithJar } from '../support/sign-in.ts';
import type { CookieJar } from '../support/sign-in.ts';
import {
  SCOPE,
  authorizeWithOauth4webapi,
  authorizeWithOpenidClient,
  discoverWithOauth4webapi,
  discoverWithOpenidClient,
  exchangeWithOauth4webapi,
  exchangeWithOpenidClient,
  refreshWithOauth4webapi,
  signInWithOauth4webapi,
  signInWithOpenidClient,
} from './relying-parties.ts';
import type { Authorization, Oauth4webapiParty } from './relying-parties.ts';

/** The callback with one parameter changed (or removed, for `undefined`). */
function tampered(callback: URL, name: string, value: string | undefined): URL {
  const url = new URL(callback);
  if (value === undefined) url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  return url;
}

function isOAuthError(code: string) {
  return (error: unknown) => (error instanceof oauth.ResponseBodyError || error instanceof oauth.AuthorizationResponseError) && error.error === code;
}

/** Follows the end-session URL in the "browser" and returns where Latchkey sends it. */
async function followLogout(jar: CookieJar, url: URL): Promise<URL> {
  const response = await fetchWithJar(jar, url.href);
  assert.equal(response.status, 303, await response.text());
  return new URL(response.headers.get('location')!);
}

let server: TestServer;
before(async () => {
  server = await startTestServer('sqlite');
});
after(() => server.stop());

describe('interop: openid-client signs in through the hosted pages (client_secret_post)', () => {
  let acme: SignInFixture;
  let config: openid.Configuration;
  let authorization: Authorization;
  let tokens: Awaited<ReturnType<typeof exchangeWithOpenidClient>>;
  before(async () => {
    acme = await createSignInFixture(server, 'acme');
    config = await discoverWithOpenidClient(acme);
  });

  it('discovers the tenant, signs in with PKCE, and validates the callback and the ID token', async () => {
    assert.equal(config.serverMetadata().issuer, acme.issuer);
    assert.equal(config.serverMetadata().authorization_response_iss_parameter_supported, true);
    ({ authorization, tokens } = await signInWithOpenidClient(config, acme));
    assert.deepEqual(authorization.pages, ['login', 'consent']);
    assert.equal(authorization.callback.searchParams.get('iss'), acme.issuer);
    const claims = tokens.claims()!;
    assert.equal(claims.sub, acme.user.id);
    assert.equal(claims.aud, acme.clientId);
    assert.equal(claims.nonce, authorization.nonce);
    assert.equal(claims.email, acme.login);
    assert.equal(typeof claims.auth_time, 'number');
    assert.equal(typeof claims.sid, 'string');
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.scope, SCOPE);
    assert.equal(typeof tokens.refresh_token, 'string');
  });

  it('refuses a callback with a wrong or missing iss, or with another state, before it spends the code', async () => {
    const refused = (url: URL, check: (error: { code?: string; cause?: { message?: string } }) => boolean) => assert.rejects(exchangeWithOpenidClient(config, authorization, url), check);
    await refused(tampered(authorization.callback, 'iss', 'http://127.0.0.1:1/t/acme'), (e) => e.code === 'OAUTH_INVALID_RESPONSE' && /"iss"/.test(e.cause?.message ?? ''));
    await refused(tampered(authorization.callback, 'iss', undefined), (e) => e.code === 'OAUTH_INVALID_RESPONSE' && /"iss"/.test(e.cause?.message ?? ''));
    await refused(tampered(authorization.callback, 'state', 'forged'), (e) => e.code === 'OAUTH_INVALID_RESPONSE' && /"state"/.test(e.cause?.message ?? ''));
  });

  it('calls userinfo and checks that its sub is the ID token sub', async () => {
    const userinfo = await openid.fetchUserInfo(config, tokens.access_token, acme.user.id);
    assert.equal(userinfo.email, acme.login);
    assert.equal(userinfo.name, 'Ada Lovelace');
    await assert.rejects(openid.fetchUserInfo(config, tokens.access_token, 'someone-else'), (e: { code?: string }) => e.code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED');
  });

  it('refreshes with rotation, and a replayed refresh token is invalid_grant and ends the family', async () => {
    const first = await openid.refreshTokenGrant(config, tokens.refresh_token!);
    assert.notEqual(first.refresh_token, tokens.refresh_token);
    // OpenID Connect Core §12.2: a refreshed ID token keeps the subject and the original authentication time.
    assert.equal(first.claims()!.sub, acme.user.id);
    assert.equal(first.claims()!.auth_time, tokens.claims()!.auth_time);
    // Replayed after the family moved on (a retry before that is forgiven within the tenant's reuse_grace).
    const second = await openid.refreshTokenGrant(config, first.refresh_token!);
    await assert.rejects(openid.refreshTokenGrant(config, tokens.refresh_token!), isOAuthError('invalid_grant'));
    await assert.rejects(openid.refreshTokenGrant(config, second.refresh_token!), isOAuthError('invalid_grant'), 'the whole family is revoked');
  });

  it('ends the session at the end-session endpoint, after which prompt=none answers login_required', async () => {
    const silent = await authorizeWithOpenidClient(config, acme, { jar: authorization.jar, extra: { prompt: 'none' } });
    assert.deepEqual(silent.pages, [], 'single sign-on while the session lives');
    assert.equal((await exchangeWithOpenidClient(config, silent)).claims()!.sid, tokens.claims()!.sid);

    const logout = openid.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: acme.postLogoutRedirectUri, state: 'bye' });
    const signedOut = await followLogout(authorization.jar, logout);
    assert.equal(`${signedOut.origin}${signedOut.pathname}`, acme.postLogoutRedirectUri);
    assert.equal(signedOut.searchParams.get('state'), 'bye');

    const afterLogout = await authorizeWithOpenidClient(config, acme, { jar: authorization.jar, extra: { prompt: 'none' } });
    await assert.rejects(exchangeWithOpenidClient(config, afterLogout), isOAuthError('login_required'));
  });
});

describe('interop: oauth4webapi signs in through the hosted pages (client_secret_basic)', () => {
  let globex: SignInFixture;
  let party: Oauth4webapiParty;
  let authorization: Authorization;
  let tokens: oauth.TokenEndpointResponse;
  let claims: oauth.IDToken;
  before(async () => {
    globex = await createSignInFixture(server, 'globex');
    party = await discoverWithOauth4webapi(globex);
  });

  it('discovers the tenant, signs in with PKCE, and validates the callback and the ID token', async () => {
    assert.equal(party.as.issuer, globex.issuer);
    ({ authorization, tokens, claims } = await signInWithOauth4webapi(party, globex));
    assert.deepEqual(authorization.pages, ['login', 'consent']);
    assert.equal(claims.sub, globex.user.id);
    assert.equal(claims.aud, globex.clientId);
    assert.equal(claims.nonce, authorization.nonce);
    assert.equal(claims.email, globex.login);
    assert.equal(typeof claims.auth_time, 'number');
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.scope, SCOPE);
    assert.equal(typeof tokens.refresh_token, 'string');
  });

  it('validates the user\'s access token as an RFC 9068 JWT, as a resource server would', async () => {
    const request = new Request('http://127.0.0.1/resource', { headers: { authorization: `Bearer ${tokens.access_token}` } });
    const access = await oauth.validateJwtAccessToken(party.as, request, globex.clientId, party.http);
    assert.equal(access.sub, claims.sub);
    assert.equal(access.client_id, globex.clientId);
    assert.equal(access.auth_time, claims.auth_time);
  });

  it('refuses a callback with a wrong or missing iss, or with another state (validateAuthResponse)', () => {
    const { as, client } = party;
    const refused = (url: URL, pattern: RegExp) =>
      assert.throws(() => oauth.validateAuthResponse(as, client, url, authorization.state), (e: unknown) => e instanceof oauth.OperationProcessingError && pattern.test(e.message));
    refused(tampered(authorization.callback, 'iss', 'http://127.0.0.1:1/t/globex'), /"iss"/);
    refused(tampered(authorization.callback, 'iss', undefined), /"iss"/);
    refused(tampered(authorization.callback, 'state', 'forged'), /"state"/);
  });

  it('calls userinfo and checks that its sub is the ID token sub', async () => {
    const { as, client, http } = party;
    const userinfo = await oauth.processUserInfoResponse(as, client, claims.sub, await oauth.userInfoRequest(as, client, tokens.access_token, http));
    assert.equal(userinfo.email, globex.login);
    assert.equal(userinfo.name, 'Ada Lovelace');
    await assert.rejects(
      oauth.processUserInfoResponse(as, client, 'someone-else', await oauth.userInfoRequest(as, client, tokens.access_token, http)),
      (e: unknown) => e instanceof oauth.OperationProcessingError && e.code === oauth.JSON_ATTRIBUTE_COMPARISON,
    );
  });

  it('refreshes with rotation, and a replayed refresh token is invalid_grant and ends the family', async () => {
    const first = await refreshWithOauth4webapi(party, tokens.refresh_token!);
    assert.notEqual(first.refresh_token, tokens.refresh_token);
    const refreshed = oauth.getValidatedIdTokenClaims(first)!;
    // OpenID Connect Core §12.2: a refreshed ID token keeps the subject and the original authentication time.
    assert.equal(refreshed.sub, claims.sub);
    assert.equal(refreshed.auth_time, claims.auth_time);
    // Replayed after the family moved on (a retry before that is forgiven within the tenant's reuse_grace).
    const second = await refreshWithOauth4webapi(party, first.refresh_token!);
    await assert.rejects(refreshWithOauth4webapi(party, tokens.refresh_token!), isOAuthError('invalid_grant'));
    await assert.rejects(refreshWithOauth4webapi(party, second.refresh_token!), isOAuthError('invalid_grant'), 'the whole family is revoked');
  });

  it('ends the session at the end-session endpoint, after which prompt=none answers login_required', async () => {
    const silent = await authorizeWithOauth4webapi(party, globex, { jar: authorization.jar, extra: { prompt: 'none' } });
    assert.deepEqual(silent.pages, [], 'single sign-on while the session lives');
    assert.equal((await exchangeWithOauth4webapi(party, globex, silent)).claims.sid, claims.sid);

    // oauth4webapi has no end-session helper: the discovered endpoint plus RP-Initiated Logout 1.0 §2.
    const logout = new URL(party.as.end_session_endpoint!);
    logout.searchParams.set('id_token_hint', tokens.id_token!);
    logout.searchParams.set('post_logout_redirect_uri', globex.postLogoutRedirectUri);
    logout.searchParams.set('client_id', globex.clientId);
    logout.searchParams.set('state', 'bye');
    const signedOut = await followLogout(authorization.jar, logout);
    assert.equal(`${signedOut.origin}${signedOut.pathname}`, globex.postLogoutRedirectUri);
    assert.equal(signedOut.searchParams.get('state'), 'bye');

    const afterLogout = await authorizeWithOauth4webapi(party, globex, { jar: authorization.jar, extra: { prompt: 'none' } });
    assert.throws(() => oauth.validateAuthResponse(party.as, party.client, afterLogout.callback, afterLogout.state), isOAuthError('login_required'));
  });
});
