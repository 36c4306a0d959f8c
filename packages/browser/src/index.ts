/**
 * @latchkey/browser: sign-in for single-page apps with the authorization code flow and PKCE (RFC 7636 S256),
 * `state` and `nonce` checked, the authorization response's `iss` checked (RFC 9207), tokens kept in memory,
 * and `apiFetch` that adds the bearer token and refreshes it once, single-flight, on expiry or a 401.
 *
 * This file is self-contained (no runtime imports): the server serves it as one ES module at `/sdk/latchkey.js`.
 *
 * @example
 * import { initOIDC, login, handleRedirectCallback, apiFetch } from 'https://id.example.com/sdk/latchkey.js';
 * initOIDC({ issuer: 'https://id.example.com/t/acme', clientId: 'abc', redirectUri: location.origin + '/callback' });
 * if (location.search.includes('code=')) await handleRedirectCallback(); else await login();
 * const me = await (await apiFetch('https://mail.example.com/v1/me')).json();
 */

export interface OIDCOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly redirectUri: string;
  /** Default `openid profile email offline_access` (offline_access for the silent refresh). */
  readonly scope?: string;
  /** Where the IdP sends the browser after `logout()` (registered as a post-logout redirect URI). */
  readonly postLogoutRedirectUri?: string;
  /** Refresh this many seconds before the access token expires (default 30). */
  readonly refreshBeforeSeconds?: number;
  /**
   * On an RFC 9470 step-up challenge from an API, `apiFetch` throws `StepUpRequired` (default), or with
   * `'redirect'` calls `login({ acrValues })` itself and then throws (the page is leaving).
   */
  readonly stepUp?: 'throw' | 'redirect';
}

/** The signed-in user: the ID token's claims. */
export interface User {
  readonly sub: string;
  readonly email?: string;
  readonly name?: string;
  readonly preferred_username?: string;
  readonly [claim: string]: unknown;
}

/** A sign-in or token failure, with the OAuth `error` code when the IdP gave one. */
export class OIDCError extends Error {
  override name = 'OIDCError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * An API answered with the RFC 9470 step-up challenge (401 `insufficient_user_authentication`): the user must
 * sign in again at a stronger level. `login()` does that with the challenge's `acr_values` and `max_age`, and
 * comes back to the current page.
 * @example
 * try { await apiFetch('/v1/payouts', { method: 'POST' }); }
 * catch (error) { if (error instanceof StepUpRequired) await error.login(); else throw error; }
 */
export class StepUpRequired extends OIDCError {
  override name = 'StepUpRequired';
  readonly acrValues: string[];
  readonly maxAge: number | undefined;
  readonly response: Response;
  constructor(response: Response, acrValues: string[], maxAge: number | undefined) {
    super('insufficient_user_authentication', 'the API needs a stronger sign-in (step-up)');
    this.response = response;
    this.acrValues = acrValues;
    this.maxAge = maxAge;
  }
  /** Signs the user in again with what the API asked for. */
  login(params: { returnTo?: string } = {}): Promise<void> {
    return login({ ...params, acrValues: this.acrValues, ...(this.maxAge === undefined ? {} : { maxAge: this.maxAge }) });
  }
}

/** The `acr_values` and `max_age` of an RFC 9470 challenge, or undefined for any other answer. */
function stepUpChallenge(response: Response): { acrValues: string[]; maxAge: number | undefined } | undefined {
  const header = response.headers.get('www-authenticate') ?? '';
  if (response.status !== 401 || !/error="insufficient_user_authentication"/.test(header)) return undefined;
  const acr = /acr_values="([^"]*)"/.exec(header)?.[1];
  const maxAge = /max_age="?(\d+)"?/.exec(header)?.[1];
  return { acrValues: acr ? acr.split(' ').filter(Boolean) : [], maxAge: maxAge === undefined ? undefined : Number(maxAge) };
}

interface Metadata {
  issuer: string;
  authorization_endpoint?: string;
  token_endpoint: string;
  revocation_endpoint?: string;
  end_session_endpoint?: string;
  /** RFC 9207 §3: the issuer puts `iss` in every authorization response. */
  authorization_response_iss_parameter_supported?: boolean;
}

interface Tokens {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  expiresAt: number;
}

interface Pending {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
}

const PENDING_KEY = 'latchkey.pending';
let options: OIDCOptions | undefined;
let metadata: Promise<Metadata> | undefined;
let tokens: Tokens | undefined;
let user: User | null = null;
let refreshing: Promise<void> | undefined;

function config(): OIDCOptions {
  if (!options) throw new OIDCError('not_initialized', 'call initOIDC() first');
  return options;
}

function base64url(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function s256(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

function discover(): Promise<Metadata> {
  const { issuer } = config();
  metadata ??= fetch(`${issuer}/.well-known/openid-configuration`).then(async (response) => {
    if (!response.ok) throw new OIDCError('discovery_failed', `discovery answered ${response.status}`);
    const document = (await response.json()) as Metadata;
    if (document.issuer !== issuer) throw new OIDCError('discovery_failed', 'the discovery document names another issuer');
    return document;
  });
  metadata.catch(() => (metadata = undefined));
  return metadata;
}

function decodeJwtPayload(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1] ?? '';
  const text = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(text, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
}

/** OIDC Core §3.1.3.7: an ID token received directly from the token endpoint over TLS; claims checked. */
function checkIdToken(idToken: string, nonce: string | undefined): User {
  const claims = decodeJwtPayload(idToken);
  const { issuer, clientId } = config();
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.iss !== issuer) throw new OIDCError('invalid_id_token', 'the ID token has another issuer');
  if (!audience.includes(clientId)) throw new OIDCError('invalid_id_token', 'the ID token is for another client');
  if (nonce !== undefined && claims.nonce !== nonce) throw new OIDCError('invalid_id_token', 'the ID token nonce does not match');
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now() - 60_000) throw new OIDCError('invalid_id_token', 'the ID token has expired');
  return claims as User;
}

async function tokenRequest(params: Record<string, string>): Promise<Record<string, unknown>> {
  const { token_endpoint } = await discover();
  const response = await fetch(token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...params, client_id: config().clientId }).toString(),
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) throw new OIDCError(String(body.error ?? 'token_error'), String(body.error_description ?? `the token endpoint answered ${response.status}`));
  return body;
}

function keepTokens(body: Record<string, unknown>, nonce?: string): void {
  const idToken = typeof body.id_token === 'string' ? body.id_token : tokens?.idToken;
  if (typeof body.id_token === 'string') user = checkIdToken(body.id_token, nonce);
  tokens = {
    accessToken: String(body.access_token),
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : tokens?.refreshToken,
    idToken,
    expiresAt: Date.now() + Number(body.expires_in ?? 300) * 1000,
  };
}

/**
 * Configures the SDK (call once, before anything else).
 * @example initOIDC({ issuer: 'https://id.example.com/t/acme', clientId: 'abc', redirectUri: 'https://app.example.com/callback' });
 */
export function initOIDC(init: OIDCOptions): void {
  options = { scope: 'openid profile email offline_access', ...init, issuer: init.issuer.replace(/\/$/, '') };
  metadata = undefined;
  tokens = undefined;
  user = null;
}

/**
 * Sends the browser to the hosted sign-in page. `acrValues` asks for a level of sign-in (for example
 * `urn:latchkey:acr:mfa`, or `phr` for a passkey); `maxAge` for a sign-in at most that many seconds old.
 * @example button.onclick = () => login({ loginHint: 'ada@example.com' });
 * @example await login({ acrValues: ['urn:latchkey:acr:mfa'] }); // step-up: only the second factor is asked
 */
export async function login(params: { loginHint?: string; returnTo?: string; acrValues?: string | readonly string[]; maxAge?: number } = {}): Promise<void> {
  const { clientId, redirectUri, scope } = config();
  const pending: Pending = { state: randomString(), nonce: randomString(), verifier: randomString(), returnTo: params.returnTo ?? location.href };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL((await discover()).authorization_endpoint ?? `${config().issuer}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: scope ?? 'openid',
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await s256(pending.verifier),
    code_challenge_method: 'S256',
    ...(params.loginHint ? { login_hint: params.loginHint } : {}),
    ...(params.acrValues && params.acrValues.length > 0 ? { acr_values: typeof params.acrValues === 'string' ? params.acrValues : params.acrValues.join(' ') } : {}),
    ...(params.maxAge !== undefined ? { max_age: String(params.maxAge) } : {}),
  }).toString();
  location.assign(url.href);
}

/**
 * Finishes sign-in on the redirect URI: checks `state` and `iss`, exchanges the code, checks the ID token's nonce.
 * @example const user = await handleRedirectCallback(); history.replaceState(null, '', '/');
 */
export async function handleRedirectCallback(url: string = location.href): Promise<User | null> {
  const params = new URL(url).searchParams;
  const stored = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const pending = stored ? (JSON.parse(stored) as Pending) : undefined;
  // RFC 6749 §10.12: the response must belong to the request this browser made.
  if (!pending || params.get('state') !== pending.state) throw new OIDCError('state_mismatch', 'the sign-in response does not match a sign-in started here');
  // RFC 9207 §2.4: reject a response from another issuer (mix-up attack), and one without `iss` from an issuer
  // that says it always sends it (an attacker's response would simply leave it out).
  const iss = params.get('iss');
  if (iss !== null && iss !== config().issuer) throw new OIDCError('issuer_mismatch', 'the sign-in response comes from another issuer');
  if (iss === null && (await discover()).authorization_response_iss_parameter_supported === true) {
    throw new OIDCError('issuer_missing', 'the sign-in response has no iss although the issuer always sends it');
  }
  const error = params.get('error');
  if (error) throw new OIDCError(error, params.get('error_description') ?? 'sign-in failed');
  const code = params.get('code');
  if (!code) throw new OIDCError('invalid_request', 'the sign-in response has no code');
  const body = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: config().redirectUri, code_verifier: pending.verifier });
  keepTokens(body, pending.nonce);
  if (typeof history !== 'undefined' && url === location.href) history.replaceState(history.state, '', config().redirectUri.split('?')[0] ?? '/');
  return user;
}

/** Refreshes the access token once for every caller waiting on it. */
function refreshTokens(): Promise<void> {
  refreshing ??= (async () => {
    if (!tokens?.refreshToken) throw new OIDCError('login_required', 'the session has expired; sign in again');
    keepTokens(await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken }));
  })().finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

/**
 * The access token, refreshed first when it is about to expire.
 * @example const token = await getAccessToken();
 */
export async function getAccessToken(): Promise<string> {
  if (!tokens) throw new OIDCError('login_required', 'not signed in');
  if (refreshing) await refreshing;
  if (tokens.expiresAt - (config().refreshBeforeSeconds ?? 30) * 1000 <= Date.now()) await refreshTokens();
  return tokens.accessToken;
}

/**
 * `fetch` with `Authorization: Bearer`; on a 401 it refreshes once and retries the request once. On a step-up
 * challenge (RFC 9470) it throws `StepUpRequired` instead (a refresh would not make the sign-in stronger).
 * @example const mailboxes = await (await apiFetch('https://mail.example.com/v1/mailboxes')).json();
 */
export async function apiFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  const send = async () => {
    const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set('authorization', `Bearer ${await getAccessToken()}`);
    return fetch(input instanceof Request ? input.clone() : input, { ...init, headers });
  };
  const used = tokens?.accessToken;
  const response = await send();
  const challenge = stepUpChallenge(response);
  if (challenge !== undefined) {
    const error = new StepUpRequired(response, challenge.acrValues, challenge.maxAge);
    if (config().stepUp === 'redirect') await error.login();
    throw error;
  }
  if (response.status !== 401 || !tokens?.refreshToken) return response;
  if (tokens.accessToken === used) await refreshTokens();
  return send();
}

/**
 * The signed-in user (ID token claims), or null.
 * @example const name = getUser()?.name;
 */
export function getUser(): User | null {
  return user;
}

/**
 * Forgets the tokens, revokes the refresh token, and ends the IdP session (RP-initiated logout) when the
 * IdP supports it and `postLogoutRedirectUri` is set.
 * @example await logout();
 */
export async function logout(): Promise<void> {
  const held = tokens;
  tokens = undefined;
  user = null;
  const document = await discover();
  if (held?.refreshToken && document.revocation_endpoint) {
    await fetch(document.revocation_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: held.refreshToken, token_type_hint: 'refresh_token', client_id: config().clientId }).toString(),
    }).catch(() => undefined);
  }
  const { postLogoutRedirectUri, clientId } = config();
  if (document.end_session_endpoint && postLogoutRedirectUri) {
    const url = new URL(document.end_session_endpoint);
    url.search = new URLSearchParams({ client_id: clientId, post_logout_redirect_uri: postLogoutRedirectUri, ...(held?.idToken ? { id_token_hint: held.idToken } : {}) }).toString();
    location.assign(url.href);
  }
}
