/**
 * How long a connection may stay open without a request, and how many one process holds (issue 14.5: 2,100
 * connections that never sent a byte were held forever and exhausted a 2,048 descriptor limit). Node's HTTP
 * server enforces the timeouts: `headersTimeout` runs from the moment a connection opens (or a kept-alive one
 * starts its next request), so a connection that sends nothing expires with it; `requestTimeout` bounds the
 * whole request; both are checked every `connectionsCheckingInterval`. `maxConnections` makes Node close new
 * connections past the cap as they arrive, and emit 'drop'.
 *
 * Keep-alive: an idle kept-alive connection stays open `keepAliveTimeout`, which must exceed the idle timeout of
 * a load balancer in front (AWS ALB and nginx: 60 s), so the balancer closes idle connections first and never
 * sends a request into one that is being closed here (a 502).
 */
import type { Server, ServerOptions } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config/load-config.ts';

/** The "connection limit reached" warning is logged at most once per this interval, not once per connection. */
const DROP_LOG_INTERVAL_MS = 60_000;

type TimeoutConfig = Pick<Config, 'headersTimeout' | 'requestTimeout' | 'keepAliveTimeout'>;

/** The Fastify server options that carry the timeouts. */
export function connectionTimeouts(config: TimeoutConfig): { http: ServerOptions; requestTimeout: number; keepAliveTimeout: number } {
  const headersTimeout = config.headersTimeout * 1000;
  return {
    // Expired connections are found by a sweep; sweep often enough that the timeout holds to within a second.
    http: { headersTimeout, connectionsCheckingInterval: Math.min(1000, headersTimeout / 2) },
    requestTimeout: config.requestTimeout * 1000,
    keepAliveTimeout: config.keepAliveTimeout * 1000,
  };
}

/** Caps the connections `server` holds at `maxConnections` (0: none) and logs when the cap turns connections away. */
export function capConnections(server: Server, maxConnections: number, logger: Pick<FastifyBaseLogger, 'warn'>, now: () => number = Date.now): void {
  if (maxConnections <= 0) return;
  server.maxConnections = maxConnections;
  let loggedAt = -Infinity;
  let refused = 0;
  server.on('drop', () => {
    refused++;
    if (now() - loggedAt < DROP_LOG_INTERVAL_MS) return;
    loggedAt = now();
    logger.warn({ max_connections: maxConnections, refused }, 'connection limit reached: refusing new connections');
    refused = 0;
  });
}
