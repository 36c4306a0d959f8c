/**
 * Prometheus metrics under `--workers`: a scrape lands on whichever worker takes the connection, so that worker
 * asks the primary, which gathers every worker's registry (prom-client's AggregatorRegistry: counters and
 * histograms summed) and answers with the whole machine's metrics. Outside a cluster, a process's own registry.
 */
import cluster from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { Registry } from 'prom-client';

const REQUEST = 'latchkey:metrics-request';
const RESPONSE = 'latchkey:metrics-response';
const ASK_TIMEOUT_MS = 5000;

interface MetricsMessage {
  readonly type?: unknown;
  readonly id?: number;
  readonly text?: string;
  readonly error?: string;
}

/** In the primary: answer the workers' requests with the aggregate of all of them. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: MetricsMessage) => {
    if (message?.type !== REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: RESPONSE, id: message.id, text }),
      (error: unknown) => worker.send({ type: RESPONSE, id: message.id, error: String(error) }),
    );
  });
}

/** In a worker: let the primary read this worker's registry. */
export function shareWorkerMetrics(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry(); // installs the worker's responder
}

const pending = new Map<number, (message: MetricsMessage | undefined) => void>();
let nextId = 0;
let listening = false;

function askPrimary(): Promise<MetricsMessage | undefined> {
  if (!listening) {
    listening = true;
    process.on('message', (message: MetricsMessage) => {
      if (message?.type === RESPONSE && typeof message.id === 'number') pending.get(message.id)?.(message);
    });
  }
  const id = nextId++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => settle(undefined), ASK_TIMEOUT_MS);
    const settle = (message: MetricsMessage | undefined) => {
      clearTimeout(timer);
      pending.delete(id);
      resolve(message);
    };
    pending.set(id, settle);
    process.send!({ type: REQUEST, id }, undefined, undefined, (error: Error | null) => error && settle(undefined));
  });
}

/** What `/metrics` serves: the cluster's aggregate in a worker (this worker's own if the primary does not answer). */
export async function collectMetrics(registry: Registry): Promise<string> {
  if (!cluster.isWorker || process.send === undefined) return registry.metrics();
  const answer = await askPrimary();
  return typeof answer?.text === 'string' ? answer.text : registry.metrics();
}
