/**
 * Authenticates a same-origin request by its session cookie: CSRF checked on unsafe methods (synchronizer
 * token plus Origin), the access token refreshed when it is about to expire (the new cookie is returned for the
 * response), then verified like any bearer token.
 */
import { AuthError, InvalidToken, MissingCredentials } from '../errors.ts';
import { authErrorResponse } from '../http/web.ts';
import type { Guard } from '../guards.ts';
import type { IdpClient } from '../idp/idp-client.ts';
import type { Principal } from '../principal.ts';
import type { Verifier } from '../verify/verifier.ts';
import type { Session, SessionCookies } from './session-store.ts';

export interface SessionAuthentication {
  readonly principal: Principal;
  readonly session: Session;
  /** A `Set-Cookie` to send when the session was refreshed. */
  readonly setCookie?: string;
}

export interface SessionGuardOptions {
  readonly sessions: SessionCookies;
  readonly idp: IdpClient;
  readonly verifier: Verifier;
  /** Refresh this many seconds before the access token expires (default 30). */
  readonly refreshBeforeSeconds?: number;
  readonly now?: () => number;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Throws `InvalidToken` unless an unsafe request proves it comes from our own pages.
 * @example checkCsrf(request, sessions.read(request)!);
 */
export function checkCsrf(request: Request, session: Session): void {
  if (SAFE_METHODS.has(request.method)) return;
  const origin = request.headers.get('origin');
  if (origin !== null && origin !== new URL(request.url).origin) throw new InvalidToken('cross-origin request refused');
  if (request.headers.get('x-csrf-token') !== session.csrf) throw new InvalidToken('missing or wrong X-CSRF-Token');
}

/**
 * @example
 * const { principal, setCookie } = await authenticateSession(options, request, requireGroup('mail-users'));
 */
export async function authenticateSession(options: SessionGuardOptions, request: Request, ...guards: Guard[]): Promise<SessionAuthentication> {
  const now = options.now ?? Date.now;
  let session = options.sessions.read(request);
  if (!session) throw new MissingCredentials('no session: sign in first');
  checkCsrf(request, session);
  let setCookie: string | undefined;
  if (session.expiresAt - (options.refreshBeforeSeconds ?? 30) * 1000 <= now()) {
    if (!session.refreshToken) throw new InvalidToken('the session has expired');
    const result = await options.idp.refresh(session.refreshToken);
    if (!result.ok) throw new InvalidToken('the session has expired');
    session = options.sessions.fromTokens(result.tokens, session);
    setCookie = options.sessions.write(session);
  }
  const principal = await options.verifier.verify(session.accessToken);
  for (const guard of guards) guard(principal);
  return setCookie === undefined ? { principal, session } : { principal, session, setCookie };
}

/**
 * Wraps a same-origin handler: 401/403 as RFC 6750 responses, and the refreshed session cookie on the answer.
 * @example
 * const mailboxes = protectSession(options, [requireGroup('mail-users')], (request, principal) => Response.json([]));
 */
export function protectSession(
  options: SessionGuardOptions,
  guards: readonly Guard[],
  handler: (request: Request, principal: Principal) => Response | Promise<Response>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    let auth: SessionAuthentication;
    try {
      auth = await authenticateSession(options, request, ...guards);
    } catch (error) {
      if (error instanceof AuthError) return authErrorResponse(error);
      throw error;
    }
    const response = await handler(request, auth.principal);
    if (auth.setCookie === undefined) return response;
    const headers = new Headers(response.headers);
    headers.append('set-cookie', auth.setCookie);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}
