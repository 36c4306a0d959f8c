/**
 * Express/Connect-style middleware: `(req, res, next)`. No dependency on Express itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthError } from '../errors.ts';
import type { Guard } from '../guards.ts';
import type { Principal } from '../principal.ts';
import type { Verifier } from '../verify/verifier.ts';
import { answerWith, splitOptions, toWebRequest, writeWebResponse } from './node-bridge.ts';
import type { WebHandler } from './node-bridge.ts';
import type { BridgeOptions } from './body-limit.ts';
import { authErrorBody, authErrorResponse } from './web.ts';

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
        if (error instanceof AuthError) void writeWebResponse(res, authErrorResponse(error, undefined, authErrorBody(error), verifier.resourceMetadataUrl)).catch(next);
        else next(error);
      });
  };
}

/**
 * Mounts web handlers (the `/auth/*` dialects, session routes) as middleware; unmatched requests go to `next`
 * with their body unread. A handler's body read past the limit (options first; default 65536 bytes) is a 413.
 * @example app.use(expressHandler(sendingAuthRoutes({ ... })));
 * @example app.use(expressHandler({ bodyLimit: 1024 * 1024 }, sendingAuthRoutes({ ... })));
 */
export function expressHandler(...args: [BridgeOptions, ...WebHandler[]] | WebHandler[]): Middleware {
  const { options, handlers } = splitOptions(args);
  return (req, res, next) => {
    void (async () => {
      const response = await answerWith(handlers, await toWebRequest(req, options));
      if (response) return writeWebResponse(res, response);
      next();
    })().catch(next);
  };
}
