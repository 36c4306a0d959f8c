/**
 * Who may read `/metrics`: request counts, token counts and security events tell an outsider how the service is
 * used and attacked (issue 13). With LATCHKEY_METRICS_TOKEN set, only a client presenting it as a bearer token
 * (RFC 6750 §2.1; compared as SHA-256 digests in constant time, so neither its content nor its length leaks).
 * Without one, only loopback clients, and never a request a proxy forwarded: behind a reverse proxy on the same
 * machine every request comes from loopback, and the forwarding headers are what show it came from elsewhere
 * (a proxy that forwards without them must not be put in front of an instance without a token).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AccessDenied, InvalidToken } from '../errors/oauth-error.ts';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function isLoopback(ip: string): boolean {
  return ip === '::1' || /^(::ffff:)?127\./i.test(ip);
}

function wasForwarded(request: FastifyRequest): boolean {
  return request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined;
}

/** Throws unless `request` may read the metrics. */
export function assertMetricsAccess(request: FastifyRequest, token: string | undefined): void {
  if (token === undefined) {
    // The connection's own address: a scraper on this machine talks to the server directly, never through a
    // proxy, so forwarding headers (trusted or not) mean the client is elsewhere.
    if (isLoopback(request.socket.remoteAddress ?? '') && !wasForwarded(request)) return;
    throw new AccessDenied('metrics are served to loopback clients only; set LATCHKEY_METRICS_TOKEN to scrape from elsewhere');
  }
  const header = request.headers.authorization ?? '';
  const presented = /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
  if (presented !== undefined && timingSafeEqual(digest(presented), digest(token))) return;
  throw new InvalidToken('a valid metrics token is required', {
    headers: { 'WWW-Authenticate': `Bearer realm="latchkey-metrics"${presented === undefined ? '' : ', error="invalid_token"'}` },
  });
}
