/**
 * The two independent libraries as relying parties of a sign-in fixture, each doing the authorization code flow
 * its own way: the library discovers the issuer and builds the authorization URL (PKCE S256, state, nonce), the
 * browser-less helper follows it through the hosted pages, and the library validates the callback (state and
 * RFC 9207 `iss`) and the token response (ID token `iss`, `aud`, `exp`, `iat`, `sub`, `nonce`, `auth_time`, and
 * its signature against the JWKS). Only `allowInsecureRequests` is relaxed, for http://127.0.0.1.
 *
 * openid-client authenticates with client_secret_post and oauth4webapi with client_secret_basic, the other way
 * round from the client_credentials interop test, so each library exercises both methods across the suite.
 */
import * as openid from 'openid-client';
import * as oauth from 'oauth4webapi';
import { followAuthorization } from '../support/sign-in.ts';
import type { CookieJar, HostedPagesResult } from '../support/sign-in.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';

export const SCOPE = 'openid profile email offline_access';

export interface AuthorizeOptions {
  /** The "browser" (keep its session for single sign-on, `prompt=none` and logout). */
  readonly jar?: CookieJar;
  /** More authorization parameters (`prompt`, `max_age`, …). */
  readonly extra?: Readonly<Record<string, string>>;
}

/** An authorization the library built and the hosted pages answered, before the library looks at the answer. */
export interface Authorization extends HostedPagesResult {
  readonly verifier: string;
  readonly state: string;
  readonly nonce: string;
}

// ---- openid-client -------------------------------------------------------------------------------------------

/** Discovery, client_secret_post, and ID token signatures verified against the JWKS (non-repudiation checks). */
export function discoverWithOpenidClient(fixture: SignInFixture): Promise<openid.Configuration> {
  return openid.discovery(
    new URL(fixture.issuer),
    fixture.clientId,
    { client_secret: fixture.clientSecret, require_auth_time: true },
    openid.ClientSecretPost(fixture.clientSecret),
    { execute: [openid.allowInsecureRequests, openid.enableNonRepudiationChecks] },
  );
}

export async function authorizeWithOpenidClient(config: openid.Configuration, fixture: SignInFixture, options: AuthorizeOptions = {}): Promise<Authorization> {
  const verifier = openid.randomPKCECodeVerifier();
  const state = openid.randomState();
  const nonce = openid.randomNonce();
  const url = openid.buildAuthorizationUrl(config, {
    redirect_uri: fixture.redirectUri,
    scope: SCOPE,
    code_challenge: await openid.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...options.extra,
  });
  const answer = await followAuthorization(url, { ...fixture, ...(options.jar ? { jar: options.jar } : {}) });
  return { ...answer, verifier, state, nonce };
}

/** The library validates the callback and exchanges the code; it throws on an error answer. */
export function exchangeWithOpenidClient(config: openid.Configuration, authorization: Authorization, callback: URL = authorization.callback) {
  return openid.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: authorization.verifier,
    expectedState: authorization.state,
    expectedNonce: authorization.nonce,
    idTokenExpected: true,
  });
}

export async function signInWithOpenidClient(config: openid.Configuration, fixture: SignInFixture, options: AuthorizeOptions = {}) {
  const authorization = await authorizeWithOpenidClient(config, fixture, options);
  return { authorization, tokens: await exchangeWithOpenidClient(config, authorization) };
}

// ---- oauth4webapi --------------------------------------------------------------------------------------------

/** What oauth4webapi needs for every call: the discovered server, the client, its authentication. */
export interface Oauth4webapiParty {
  readonly as: oauth.AuthorizationServer;
  readonly client: oauth.Client;
  readonly auth: oauth.ClientAuth;
  readonly http: { readonly [oauth.allowInsecureRequests]: true };
}

export async function discoverWithOauth4webapi(fixture: SignInFixture): Promise<Oauth4webapiParty> {
  const http = { [oauth.allowInsecureRequests]: true } as const;
  const issuer = new URL(fixture.issuer);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...http }));
  return { as, client: { client_id: fixture.clientId, require_auth_time: true }, auth: oauth.ClientSecretBasic(fixture.clientSecret), http };
}

export async function authorizeWithOauth4webapi(party: Oauth4webapiParty, fixture: SignInFixture, options: AuthorizeOptions = {}): Promise<Authorization> {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  // oauth4webapi leaves the authorization URL to the application: the discovered endpoint plus RFC 6749 §4.1.1.
  const url = new URL(party.as.authorization_endpoint!);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', party.client.client_id);
  url.searchParams.set('redirect_uri', fixture.redirectUri);
  url.searchParams.set('scope', SCOPE);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  url.searchParams.set('nonce', nonce);
  for (const [name, value] of Object.entries(options.extra ?? {})) url.searchParams.set(name, value);
  const answer = await followAuthorization(url, { ...fixture, ...(options.jar ? { jar: options.jar } : {}) });
  return { ...answer, verifier, state, nonce };
}

/** `validateAuthResponse` (state, RFC 9207 `iss`), the code exchange with its ID token checks, the JWS signature. */
export async function exchangeWithOauth4webapi(party: Oauth4webapiParty, fixture: SignInFixture, authorization: Authorization) {
  const { as, client, auth, http } = party;
  const params = oauth.validateAuthResponse(as, client, authorization.callback, authorization.state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, fixture.redirectUri, authorization.verifier, http);
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: authorization.nonce, requireIdToken: true });
  await oauth.validateApplicationLevelSignature(as, response, http);
  return { tokens, claims: oauth.getValidatedIdTokenClaims(tokens)! };
}

export async function signInWithOauth4webapi(party: Oauth4webapiParty, fixture: SignInFixture, options: AuthorizeOptions = {}) {
  const authorization = await authorizeWithOauth4webapi(party, fixture, options);
  return { authorization, ...(await exchangeWithOauth4webapi(party, fixture, authorization)) };
}

/** A refresh with its checks (and the signature of a new ID token). */
export async function refreshWithOauth4webapi(party: Oauth4webapiParty, refreshToken: string) {
  const { as, client, auth, http } = party;
  const response = await oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, http);
  const tokens = await oauth.processRefreshTokenResponse(as, client, response);
  if (tokens.id_token !== undefined) await oauth.validateApplicationLevelSignature(as, response, http);
  return tokens;
}

export async function introspectWithOauth4webapi(party: Oauth4webapiParty, token: string, hint?: 'access_token' | 'refresh_token') {
  const { as, client, auth, http } = party;
  const options = { ...http, ...(hint ? { additionalParameters: { token_type_hint: hint } } : {}) };
  return oauth.processIntrospectionResponse(as, client, await oauth.introspectionRequest(as, client, auth, token, options));
}

export async function revokeWithOauth4webapi(party: Oauth4webapiParty, token: string, hint?: 'access_token' | 'refresh_token'): Promise<void> {
  const { as, client, auth, http } = party;
  const options = { ...http, ...(hint ? { additionalParameters: { token_type_hint: hint } } : {}) };
  await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, token, options));
}
