/**
 * The framework-neutral core on web-standard `Request`/`Response`: authenticate and guard a request, and turn
 * an authentication error into the RFC 6750 response. The Fastify and Express adapters are thin wrappers.
 */
import { AuthError } from '../errors.ts';
import type { Guard } from '../guards.ts';
import type { Principal } from '../principal.ts';
import type { Verifier } from '../verify/verifier.ts';
import { bearerChallenge } from './www-authenticate.ts';

/**
 * Authenticates the request's bearer credential and runs the guards; throws `AuthError` on refusal.
 * @example const principal = await authenticateRequest(verifier, request, requireScope('mail:read'));
 */
export async function authenticateRequest(verifier: Verifier, request: Request, ...guards: Guard[]): Promise<Principal> {
  const principal = await verifier.authenticate(request.headers.get('authorization'));
  for (const guard of guards) guard(principal);
  return principal;
}

/**
 * The JSON body an RFC 6750 refusal carries (`{error, error_description}`).
 * @example authErrorBody(new InvalidToken('expired')) // { error: 'invalid_token', error_description: 'expired' }
 */
export function authErrorBody(error: AuthError): Record<string, string> {
  return error.code === undefined ? { error: error.status === 503 ? 'temporarily_unavailable' : 'unauthorized', error_description: error.message } : { error: error.code, error_description: error.message };
}

/**
 * The response for an authentication error: status, `WWW-Authenticate` challenge and JSON body.
 * @example
 * catch (error) { if (error instanceof AuthError) return authErrorResponse(error, 'mail'); throw error; }
 */
export function authErrorResponse(error: AuthError, realm?: string, body: unknown = authErrorBody(error), resourceMetadata?: string): Response {
  const headers = new Headers({ 'content-type': 'application/json', 'cache-control': 'no-store' });
  if (error.status === 401 || error.status === 403) headers.set('www-authenticate', bearerChallenge(error, realm, resourceMetadata));
  if (error.status === 503) headers.set('retry-after', '5');
  return new Response(JSON.stringify(body), { status: error.status, headers });
}

/**
 * A handler that runs only for an authenticated principal (see `protect`).
 * @example const me: PrincipalHandler = (_request, principal) => Response.json({ sub: principal.sub });
 */
export type PrincipalHandler = (request: Request, principal: Principal) => Response | Promise<Response>;

/**
 * Wraps a handler so it only runs for an authenticated principal that passes every guard.
 * @example
 * const mailboxes = protect(verifier, [requireScope('mail:read')], (request, principal) => Response.json([]));
 */
export function protect(verifier: Verifier, guards: readonly Guard[], handler: PrincipalHandler, realm?: string): (request: Request) => Promise<Response> {
  return async (request) => {
    let principal: Principal;
    try {
      principal = await authenticateRequest(verifier, request, ...guards);
    } catch (error) {
      if (error instanceof AuthError) return authErrorResponse(error, realm, authErrorBody(error), verifier.resourceMetadataUrl);
      throw error;
    }
    return handler(request, principal);
  };
}
