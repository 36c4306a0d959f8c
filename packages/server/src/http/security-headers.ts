import type { FastifyInstance } from 'fastify';

/** What every JSON answer carries, including those written before routing (`client-errors.ts`). */
export const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
} as const;

/**
 * RFC 6797: once a browser has seen Latchkey over https, it never again sends a sign-in form or a cookie over
 * plain http. A year, the value browsers' preload lists expect; no `includeSubDomains`, as the deployment's
 * base URL says nothing about its sibling hosts. Sent only when the base URL is https (§7.2: meaningless on http).
 */
const STRICT_TRANSPORT_SECURITY = 'max-age=31536000';

/**
 * Headers every response carries. JSON responses get a CSP that allows nothing; hosted pages set their own
 * stricter-than-default policy (and framing rule) before this hook runs and are left alone.
 */
export function registerSecurityHeaders(app: FastifyInstance, options: { readonly https?: boolean } = {}): void {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('X-Request-Id', request.id);
    if (options.https === true) reply.header('Strict-Transport-Security', STRICT_TRANSPORT_SECURITY);
    reply.header('X-Content-Type-Options', SECURITY_HEADERS['X-Content-Type-Options']);
    reply.header('Referrer-Policy', SECURITY_HEADERS['Referrer-Policy']);
    if (!reply.hasHeader('X-Frame-Options')) reply.header('X-Frame-Options', SECURITY_HEADERS['X-Frame-Options']);
    if (!reply.hasHeader('Content-Security-Policy')) reply.header('Content-Security-Policy', SECURITY_HEADERS['Content-Security-Policy']);
    return payload;
  });
}
