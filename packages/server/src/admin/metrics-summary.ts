/**
 * GET /admin/v1/metrics/summary: the console dashboard's numbers, read from this instance's Prometheus metrics
 * (all workers summed, as /metrics serves them): tokens issued by grant, sign-in attempts on the hosted page by
 * outcome, token endpoint failures, and requests by status class. Instance-wide, so super_admin only.
 */
import { collectMetrics } from '../cluster/metrics.ts';
import { requireSuperAdmin } from './admin-auth.ts';
import { adminRoute } from './admin-route.ts';
import { named, object } from './json-schema.ts';

const counts = { type: 'object', additionalProperties: { type: 'number' } };
export const MetricsSummarySchema = named(
  'MetricsSummary',
  object({
    tokens_issued: { ...counts, description: 'token responses by grant type' },
    sign_ins: object({ succeeded: { type: 'number' }, failed: { type: 'number' } }),
    token_failures: { type: 'number', description: 'token endpoint answers with status 400 or above' },
    requests: { ...counts, description: 'HTTP requests by status class (2xx, 3xx, 4xx, 5xx)' },
    uptime_seconds: { type: 'number' },
  }),
);

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** The samples of a Prometheus text exposition (the subset prom-client writes: no timestamps, escaped quotes). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[label[1]!] = label[2]!.replace(/\\(.)/g, '$1');
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

export function summarize(samples: readonly Sample[]) {
  const tokens: Record<string, number> = {};
  const requests: Record<string, number> = {};
  let succeeded = 0;
  let failed = 0;
  let tokenFailures = 0;
  for (const s of samples) {
    if (s.name === 'latchkey_tokens_issued_total') tokens[s.labels.grant_type ?? 'unknown'] = (tokens[s.labels.grant_type ?? 'unknown'] ?? 0) + s.value;
    if (s.name !== 'latchkey_http_requests_total') continue;
    const status = Number(s.labels.status);
    const klass = `${String(status).charAt(0)}xx`;
    requests[klass] = (requests[klass] ?? 0) + s.value;
    // The hosted sign-in form: a redirect onwards is a sign-in, the form shown again (400, 401, 429) a failure.
    if (s.labels.method === 'POST' && s.labels.route === '/t/:tenant/login') {
      if (status === 303 || status === 302) succeeded += s.value;
      else if (status >= 400) failed += s.value;
    }
    if (/oauth2\/token$|\/application\/o\/token\/?$/.test(s.labels.route ?? '') && status >= 400) tokenFailures += s.value;
  }
  const uptime = samples.find((s) => s.name === 'latchkey_process_start_time_seconds');
  return { tokens_issued: tokens, sign_ins: { succeeded, failed }, token_failures: tokenFailures, requests, uptime_seconds: uptime ? Math.max(0, Math.round(Date.now() / 1000 - uptime.value)) : 0 };
}

export const metricsSummaryRoutes = [
  adminRoute({
    method: 'GET', path: '/metrics/summary', operationId: 'getMetricsSummary', summary: 'Dashboard numbers from this instance\'s metrics (super_admin)', tag: 'Meta',
    status: 200, response: MetricsSummarySchema,
    async handle({ ctx, principal }) {
      requireSuperAdmin(principal);
      return summarize(parseExposition(await collectMetrics(ctx.metrics.registry)));
    },
  }),
];
