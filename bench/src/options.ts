/**
 * Command-line options of `npm run bench[:<scenario>] -- [--duration s] [--warmup s] [--connections n]
 * [--rounds n] [--tiny] [--tenants 1,1k,10k,100k] [--algorithms ES256,RS256] [--plot file.svg] [--prewarm]`, also settable as BENCH_DURATION, BENCH_WARMUP,
 * BENCH_CONNECTIONS, BENCH_ROUNDS, BENCH_TENANTS.
 * Short runs, but three interleaved rounds by default (each target's median run is kept): on a shared machine one
 * round of a target can land in a neighbour's burst, and the ratios are only as steady as their worst run.
 */
import { parseArgs } from 'node:util';
import type { RunOptions } from './scenarios/scenario.ts';

export interface Invocation {
  readonly scenarios: readonly string[];
  readonly options: RunOptions;
}

function positive(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number >= ${min}, got "${raw}"`);
  return value;
}

/** `1,1000,10k,100k` -> [1, 1000, 10000, 100000]. */
function tenantCounts(raw: string): number[] {
  return raw.split(',').map((part) => {
    const match = /^\s*(\d+)(k?)\s*$/i.exec(part);
    const value = match ? Number(match[1]) * (match[2] ? 1000 : 1) : NaN;
    if (!Number.isInteger(value) || value < 1 || value > 1_000_000) throw new Error(`--tenants takes counts from 1 to 1000000 separated by commas, got "${raw}"`);
    return value;
  });
}

/** `ES256,RS256` (scenario 8's key algorithms; ES256 is always measured, it is the baseline of the ratios). */
function tenantAlgorithms(raw: string): ('ES256' | 'RS256')[] {
  const list = raw.split(',').map((part) => part.trim().toUpperCase());
  for (const alg of list) if (alg !== 'ES256' && alg !== 'RS256') throw new Error(`--algorithms takes ES256 and RS256, got "${raw}"`);
  return [...new Set(['ES256', ...list])] as ('ES256' | 'RS256')[];
}

export function parseInvocation(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Invocation {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      rounds: { type: 'string' },
      tiny: { type: 'boolean', default: false },
      tenants: { type: 'string' },
      plot: { type: 'string' },
      prewarm: { type: 'boolean', default: false },
      algorithms: { type: 'string' },
    },
  });
  const tiny = values.tiny === true;
  return {
    scenarios: positionals,
    options: {
      durationSeconds: positive('--duration', values.duration ?? env.BENCH_DURATION, tiny ? 1 : 6, 1),
      warmupSeconds: positive('--warmup', values.warmup ?? env.BENCH_WARMUP, tiny ? 0 : 2, 0),
      connections: positive('--connections', values.connections ?? env.BENCH_CONNECTIONS, tiny ? 2 : 32, 1),
      rounds: positive('--rounds', values.rounds ?? env.BENCH_ROUNDS, tiny ? 1 : 3, 1),
      tiny,
      ...(values.tenants !== undefined || env.BENCH_TENANTS ? { tenantCounts: tenantCounts(values.tenants ?? env.BENCH_TENANTS!) } : {}),
      ...(values.plot !== undefined ? { plotPath: values.plot } : {}),
      ...(values.prewarm === true ? { prewarm: true } : {}),
      ...(values.algorithms !== undefined ? { tenantAlgorithms: tenantAlgorithms(values.algorithms) } : {}),
    },
  };
}
