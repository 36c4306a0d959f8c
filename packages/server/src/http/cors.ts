import type { FastifyInstance } from 'fastify';

/**
 * CORS for the protocol endpoints that browsers call directly (discovery, JWKS, token, userinfo, revocation):
 * any origin, no cookies. These endpoints authenticate by client credentials, PKCE or bearer tokens, never by
 * ambient cookies, so allowing every origin exposes nothing; hosted pages get no CORS headers.
 */
export function registerOpenCors(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers.origin === undefined) return;
    reply.header('Access-Control-Allow-Origin', '*');
    reply.header('Access-Control-Expose-Headers', 'WWW-Authenticate, Retry-After, X-Request-Id');
    if (request.method === 'OPTIONS') {
      reply
        .header('Access-Control-Allow-Methods', 'GET, POST, OPTIONS')
        .header('Access-Control-Allow-Headers', 'Authorization, Content-Type, DPoP')
        .header('Access-Control-Max-Age', '600')
        .code(204)
        .send();
    }
  });
}
