/** Prometheus metrics, one registry per process (not the global one, so tests can run several servers). */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { collectMetrics } from '../cluster/metrics.ts';
import { assertMetricsAccess } from './metrics-access.ts';

export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly tokensIssued: Counter<'grant_type'>;
  readonly securityEvents: Counter<'event'>;
}

type RequestLabels = { method: string; route: string; status: string };

/**
 * Responses counted since the last scrape, per label set (bounded: methods, route patterns and statuses are
 * finite). prom-client hashes and validates the labels on every `inc`, which cost several percent of a token
 * request's CPU (bench/, issue 6); the counter takes these counts when it is collected, so what it exposes is
 * unchanged.
 */
const pendingRequests = new WeakMap<Registry, Map<string, { labels: RequestLabels; count: number }>>();

/** Counts one response of the HTTP requests counter (see `pendingRequests`). */
export function countRequest(metrics: Metrics, method: string, route: string, status: number): void {
  const pending = pendingRequests.get(metrics.registry);
  const key = `${method} ${status} ${route}`;
  const entry = pending?.get(key);
  if (entry !== undefined) entry.count += 1;
  else if (pending !== undefined && pending.size < 10_000) pending.set(key, { labels: { method, route, status: String(status) }, count: 1 });
  else metrics.httpRequests.inc({ method, route, status: String(status) });
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'latchkey_' });
  const pending = new Map<string, { labels: RequestLabels; count: number }>();
  pendingRequests.set(registry, pending);
  return {
    registry,
    httpRequests: new Counter({
      name: 'latchkey_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
      collect() {
        for (const { labels, count } of pending.values()) this.inc(labels, count);
        pending.clear();
      },
    }),
    httpDuration: new Histogram({
      name: 'latchkey_http_request_duration_seconds',
      help: 'HTTP request duration by route',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    tokensIssued: new Counter({ name: 'latchkey_tokens_issued_total', help: 'Token responses by grant type', labelNames: ['grant_type'], registers: [registry] }),
    securityEvents: new Counter({ name: 'latchkey_security_events_total', help: 'Security events (sign-in failures, lockouts, token reuse)', labelNames: ['event'], registers: [registry] }),
  };
}

/** Counts every response, and serves `/metrics` to loopback, or to whoever presents `token` when one is set. */
export function registerMetrics(app: FastifyInstance, metrics: Metrics, token?: string): void {
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern (`/t/:tenant/oauth2/token`), never the raw URL, keeps label cardinality bounded.
    const route = request.routeOptions.url ?? 'unmatched';
    countRequest(metrics, request.method, route, reply.statusCode);
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (request, reply) => {
    assertMetricsAccess(request, token);
    reply.header('Content-Type', metrics.registry.contentType);
    return collectMetrics(metrics.registry);
  });
}
