/**
 * Express/Connect-style middleware: `(req, res, next)`. No dependency on Express itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthError } from '../errors.ts';
import type { Guard } from '../guards.ts';
import type { Principal } from '../principal.ts';
import type { Verifier } from '../verify/verifier.ts';
import { toWebRequest, writeWebResponse } from './node-bridge.ts';
import type { WebHandler } from './node-bridge.ts';
import { authErrorResponse } from './web.ts';

export type NextFunction = (error?: unknown) => void;
export type Middleware = (req: IncomingMessage & { principal?: Principal }, res: ServerResponse, next: NextFunction) => void;

/**
 * Authenticates the bearer credential, runs the guards, and sets `req.principal`; answers 401/403 itself.
 * @example app.get('/v1/mailboxes', expressGuard(verifier, requireGroup('mail-users')), (req, res) => res.json([]));
 */
export function expressGuard(verifier: Verifier, ...guards: Guard[]): Middleware {
  return (req, res, next) => {
    const header = req.headers.authorization;
    verifier
      .authenticate(header)
      .then((principal) => {
        for (const guard of guards) guard(principal);
        req.principal = principal;
        next();
      })
      .catch((error: unknown) => {
        if (error instanceof AuthError) void writeWebResponse(res, authErrorResponse(error)).catch(next);
        else next(error);
      });
  };
}

/**
 * Mounts web handlers (the `/auth/*` dialects, session routes) as middleware; unmatched requests go to `next`.
 * @example app.use(expressHandler(sendingAuthRoutes({ ... })));
 */
export function expressHandler(...handlers: WebHandler[]): Middleware {
  return (req, res, next) => {
    void (async () => {
      const request = await toWebRequest(req);
      for (const handler of handlers) {
        const response = await handler(request);
        if (response) return writeWebResponse(res, response);
      }
      next();
    })().catch(next);
  };
}
