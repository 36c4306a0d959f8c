/**
 * Drives one target with autocannon from the harness process: a warm-up run (JIT, caches, connection pools)
 * whose figures are thrown away, then the measured run. Non-2xx answers count as errors, so a rate limit or a
 * broken request can never pass for throughput.
 */
import autocannon from 'autocannon';

export interface LoadRequest {
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** A body built for each request, and a look at each response (refresh-token chains). */
  readonly chain?: {
    body(): string;
    onResponse(status: number, body: string): void;
    /** Per-request headers and path (requests spread over many tenants' clients and issuers). */
    headers?(): Readonly<Record<string, string>>;
    path?(): string;
  };
}

export interface LoadOptions {
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly total: number;
  /** Successful responses in the measured run. */
  readonly ok: number;
}

function run(request: LoadRequest, connections: number, seconds: number): Promise<autocannon.Result> {
  const common = { connections, pipelining: 1, duration: seconds };
  const { chain } = request;
  if (chain === undefined) {
    return autocannon({ ...common, url: request.url, method: request.method ?? 'POST', headers: { ...request.headers }, body: request.body });
  }
  const url = new URL(request.url);
  return autocannon({
    ...common,
    url: url.origin,
    requests: [
      {
        method: request.method ?? 'POST',
        path: `${url.pathname}${url.search}`,
        headers: { ...request.headers },
        setupRequest: (req) => ({
          ...req,
          body: chain.body(),
          ...(chain.headers ? { headers: { ...req.headers, ...chain.headers() } } : {}),
          ...(chain.path ? { path: chain.path() } : {}),
        }),
        onResponse: (status, body) => chain.onResponse(status, body),
      },
    ],
  });
}

/** `onMeasuredRun` is called between the warm-up and the measured run (to sample the server's CPU time). */
export async function load(request: LoadRequest, options: LoadOptions, onMeasuredRun?: () => void): Promise<LoadResult> {
  if (options.warmupSeconds > 0) await run(request, options.connections, options.warmupSeconds);
  onMeasuredRun?.();
  const result = await run(request, options.connections, options.durationSeconds);
  const total = result.requests.total;
  return {
    // The mean over the whole run, not autocannon's per-second samples (a short run has few of those).
    requestsPerSecond: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx,
    total,
    ok: result['2xx'],
  };
}
