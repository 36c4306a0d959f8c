/**
 * One measured row: start a target's server, warm it up and load it, read its peak RSS, stop it. Targets run
 * one after another (never side by side), so each has the machine's cores to itself apart from autocannon.
 */
import { load } from './load.ts';
import type { LoadOptions, LoadRequest, LoadResult } from './load.ts';
import type { ServerProcess } from './processes.ts';

export interface StartedTarget {
  readonly server: ServerProcess;
  readonly request: LoadRequest;
  /** Where the keys that verify its tokens are published. */
  readonly jwksUrl: string;
  /** Read from the server after the measured run, before it stops (cache hit rates from /metrics). */
  afterRun?(): Promise<Readonly<Record<string, string>>>;
}

export interface Target {
  readonly name: string;
  start(): Promise<StartedTarget>;
}

export interface Row extends LoadResult {
  readonly name: string;
  readonly peakRssBytes: number | undefined;
  /**
   * Server CPU time (all threads) per successful request in the measured run. Unlike req/s it barely moves when
   * other processes share the cores, so it is the steadier figure for comparing implementations.
   */
  readonly cpuMsPerRequest: number | undefined;
  /** What the target's `afterRun` read. */
  readonly extra?: Readonly<Record<string, string>>;
}

export async function measure(target: Target, options: LoadOptions): Promise<Row> {
  const { server, request, afterRun } = await target.start();
  try {
    let cpuBefore: number | undefined;
    const result = await load(request, options, () => (cpuBefore = server.cpuMs()));
    const cpuAfter = server.cpuMs();
    const cpuMsPerRequest = cpuBefore === undefined || cpuAfter === undefined || result.ok === 0 ? undefined : (cpuAfter - cpuBefore) / result.ok;
    const extra = afterRun === undefined ? undefined : await afterRun();
    return { name: target.name, ...result, peakRssBytes: server.peakRssBytes(), cpuMsPerRequest, ...(extra ? { extra } : {}) };
  } finally {
    await server.stop();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Measures every target `rounds` times, interleaved (A B C A B C …) so a neighbour's burst of CPU use hurts
 * every target alike, and keeps the run with the median throughput of each.
 */
export async function measureAll(targets: readonly Target[], options: LoadOptions & { rounds: number }): Promise<Row[]> {
  const runs = new Map<string, Row[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < Math.max(1, options.rounds); round += 1) {
    for (const target of targets) runs.get(target.name)!.push(await measure(target, options));
  }
  return targets.map((target) => {
    const rows = runs.get(target.name)!;
    const mid = median(rows.map((r) => r.requestsPerSecond));
    return rows.reduce((best, r) => (Math.abs(r.requestsPerSecond - mid) < Math.abs(best.requestsPerSecond - mid) ? r : best));
  });
}
