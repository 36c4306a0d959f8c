/**
 * The `/auth/*` endpoints of a same-origin product UI: `login` redirects to the IdP (PKCE, state, nonce kept in
 * a short-lived sealed cookie), `callback` finishes and sets the session cookie, `session` tells the UI who is
 * signed in and hands it the CSRF token, `logout` (CSRF-checked) clears the session and revokes the refresh token.
 */
import { AuthError, IdpUnavailable } from '../errors.ts';
import type { IdpClient } from '../idp/idp-client.ts';
import { createPkcePair, randomToken } from '../idp/pkce.ts';
import type { WebHandler } from '../http/node-bridge.ts';
import { noStoreJson, routeTable } from '../http/router.ts';
import { createSealer } from '../http/sealer.ts';
import { authErrorResponse } from '../http/web.ts';
import { verifyIdToken } from '../verify/id-token.ts';
import type { Verifier } from '../verify/verifier.ts';
import { readCookie, serializeCookie } from './cookies.ts';
import { authenticateSession, checkCsrf } from './session-guard.ts';
import type { SessionCookies } from './session-store.ts';

export interface SessionRoutesOptions {
  readonly idp: IdpClient;
  readonly verifier: Verifier;
  readonly sessions: SessionCookies;
  /** The same secret as the session cookies; seals the login cookie under another purpose. */
  readonly secret: string;
  /** This product's `/auth/callback` URL, registered at the IdP. */
  readonly redirectUri: string;
  readonly scopes?: readonly string[];
  /** Where to send the browser after sign-in or sign-out (default `/`). */
  readonly homePath?: string;
  readonly secure?: boolean;
  readonly basePath?: string;
}

interface PendingLogin {
  readonly state: string;
  readonly verifier: string;
  readonly nonce: string;
}

/**
 * @example
 * createServer(nodeListener(sessionAuthRoutes({ idp, verifier, sessions, secret, redirectUri: 'https://mail.example.com/auth/callback' })));
 */
export function sessionAuthRoutes(options: SessionRoutesOptions): WebHandler {
  const base = options.basePath ?? '/auth';
  const loginSealer = createSealer(options.secret, 'session-login');
  const secure = options.secure ?? true;
  const loginCookie = (value: string, maxAgeSeconds: number) => serializeCookie('lk_login', value, { secure, maxAgeSeconds, path: base });
  const home = options.homePath ?? '/';

  const login = async () => {
    const pkce = createPkcePair();
    const pending: PendingLogin = { state: randomToken(), verifier: pkce.verifier, nonce: randomToken() };
    const url = await options.idp.authorizationUrl({
      redirectUri: options.redirectUri,
      state: pending.state,
      codeChallenge: pkce.challenge,
      nonce: pending.nonce,
      scope: (options.scopes ?? ['openid', 'profile', 'email', 'offline_access']).join(' '),
    });
    return new Response(null, { status: 302, headers: { location: url, 'set-cookie': loginCookie(loginSealer.seal(pending, 600), 600), 'cache-control': 'no-store' } });
  };

  const callback = async (request: Request) => {
    const params = new URL(request.url).searchParams;
    const raw = readCookie(request, 'lk_login');
    const pending = raw === undefined ? undefined : loginSealer.open<PendingLogin>(raw);
    // RFC 6749 §10.12: the state must match the one this browser started with.
    if (!pending || params.get('state') !== pending.state) return noStoreJson({ error: 'state_mismatch', error_description: 'the sign-in was not started here or has expired' }, 401);
    // RFC 9207 §2.4: a response naming another issuer is a mix-up attempt.
    const iss = params.get('iss');
    if (iss !== null && iss !== options.verifier.discovery.issuer) return noStoreJson({ error: 'issuer_mismatch', error_description: 'the sign-in response comes from another issuer' }, 401);
    try {
      // RFC 9207 §2.4 again: an issuer that advertises `iss` always sends it, so a response without it is refused.
      if (iss === null && (await options.verifier.discovery.metadata()).authorization_response_iss_parameter_supported === true) {
        return noStoreJson({ error: 'issuer_missing', error_description: 'the sign-in response has no iss although the issuer always sends it' }, 401);
      }
      const code = params.get('code');
      if (!code) return noStoreJson({ error: params.get('error') ?? 'invalid_request', error_description: params.get('error_description') ?? 'no code' }, 400);
      const result = await options.idp.exchangeCode(code, options.redirectUri, pending.verifier);
      if (!result.ok) return noStoreJson({ error: result.error, error_description: result.error_description }, 400);
      await options.verifier.verify(result.tokens.access_token);
      if (result.tokens.id_token) await verifyIdToken(options.verifier, result.tokens.id_token, { clientId: options.idp.clientId, nonce: pending.nonce });
      const headers = new Headers({ location: home, 'cache-control': 'no-store' });
      headers.append('set-cookie', options.sessions.write(options.sessions.fromTokens(result.tokens)));
      headers.append('set-cookie', loginCookie('', 0));
      return new Response(null, { status: 302, headers });
    } catch (error) {
      if (error instanceof AuthError) return authErrorResponse(error);
      throw error;
    }
  };

  const session = async (request: Request) => {
    try {
      const { principal, session: current, setCookie } = await authenticateSession(options, request);
      const body = { authenticated: true, user: { sub: principal.sub, email: principal.email, tenant_id: principal.tenant_id, groups: principal.groups }, csrf_token: current.csrf };
      return noStoreJson(body, 200, setCookie ? { 'set-cookie': setCookie } : {});
    } catch (error) {
      if (error instanceof IdpUnavailable) return authErrorResponse(error);
      if (error instanceof AuthError) return noStoreJson({ authenticated: false }, 401, { 'set-cookie': options.sessions.clear() });
      throw error;
    }
  };

  const logout = async (request: Request) => {
    const current = options.sessions.read(request);
    if (current) {
      try {
        checkCsrf(request, current);
      } catch (error) {
        if (error instanceof AuthError) return authErrorResponse(error);
        throw error;
      }
      if (current.refreshToken) await options.idp.revoke(current.refreshToken).catch(() => undefined);
    }
    return noStoreJson({ status: 'ok' }, 200, { 'set-cookie': options.sessions.clear() });
  };

  return routeTable([
    ['GET', `${base}/login`, login],
    ['GET', `${base}/callback`, callback],
    ['GET', `${base}/session`, session],
    ['POST', `${base}/logout`, logout],
  ]);
}
