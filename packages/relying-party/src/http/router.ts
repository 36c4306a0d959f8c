/**
 * A minimal exact-path router for the `/auth/*` web handlers: the dialects own a handful of fixed paths each,
 * so a table is clearer than a framework router.
 */
import type { WebHandler } from './node-bridge.ts';

export type RouteHandler = (request: Request) => Promise<Response>;
export type Route = readonly [method: string, path: string, handler: RouteHandler];

/**
 * A web handler for a route table; a known path with another method is 405 with `Allow`.
 * @example const handler = routeTable([['GET', '/v1/auth/config', config]]);
 */
export function routeTable(routes: readonly Route[]): WebHandler {
  return async (request) => {
    const path = new URL(request.url).pathname.replace(/(.)\/$/, '$1');
    const forPath = routes.filter(([, routePath]) => routePath === path);
    if (forPath.length === 0) return undefined;
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const route = forPath.find(([routeMethod]) => routeMethod === method);
    if (!route) {
      return Response.json({ error: 'method_not_allowed', error_description: `use ${forPath.map(([m]) => m).join(', ')}` }, { status: 405, headers: { allow: forPath.map(([m]) => m).join(', ') } });
    }
    return route[2](request);
  };
}

/**
 * JSON with `Cache-Control: no-store`, as every response carrying tokens must have (RFC 6749 §5.1).
 * @example return noStoreJson({ access_token, expires_in });
 */
export function noStoreJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store', pragma: 'no-cache', ...headers } });
}
