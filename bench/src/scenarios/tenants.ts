/**
 * Scenario 8: tenants at scale (issue 21). 1, 1k, 10k and 100k tenants (`--tenants 1,1000`), each with its own
 * signing key, client and a few people, seeded in bulk (`servers/tenant-fleet.ts`). ES256 at every size, RS256
 * up to 10k (an RSA-2048 key costs tens of milliseconds to generate). Rows: client_credentials spread uniformly
 * over every tenant's client, Zipf-skewed, and the discovery + JWKS fetches of a fleet of relying parties; all
 * rows interleaved in one run, each ratio against the single-tenant row of the same run. Cache hit rates are
 * read from the server's /metrics; the figure (throughput and RSS against tenant count) is written as SVG.
 * Targets at 100k (ES256): uniform >= 0.8x and Zipf >= 0.9x the single tenant, RSS <= 300 MB, p99 <= 3x.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SigningAlgorithm } from '../../../packages/server/src/tokens/jose.ts';
import type { LoadRequest } from '../harness/load.ts';
import { measureAll } from '../harness/measure.ts';
import type { Row, Target } from '../harness/measure.ts';
import { lineChartSvg } from '../harness/plot.ts';
import type { Fact, Ratio, Report } from '../harness/table.ts';
import { basicAuth, prepareLatchkey, startLatchkey, TENANT_SLUG } from '../servers/latchkey.ts';
import type { PreparedLatchkey } from '../servers/latchkey.ts';
import { seedTenantFleet } from '../servers/tenant-fleet.ts';
import type { FleetSeeding, FleetTenant } from '../servers/tenant-fleet.ts';
import { spreadDiscoveryRequests, spreadTokenRequests } from '../servers/tenant-load.ts';
import { requestToken } from '../servers/targets.ts';
import type { RunOptions, Scenario } from './scenario.ts';

export const DEFAULT_TENANT_COUNTS = [1, 1_000, 10_000, 100_000];
const TINY_TENANT_COUNTS = [1, 20];
/** RSA keys take tens of milliseconds each: 100k of them would be a multi-hour seed. */
const RS256_MAX_TENANTS = 10_000;
export const DEFAULT_PLOT = fileURLToPath(new URL('../../figures/tenants-at-scale.svg', import.meta.url));

type Kind = 'uniform' | 'zipf' | 'discovery+jwks';

function label(size: number): string {
  return size >= 1_000 ? `${size / 1_000}k` : String(size);
}

export function rowName(alg: SigningAlgorithm, size: number, kind: Kind): string {
  return `${alg}, ${label(size)} tenants, ${kind}`;
}

interface Fleet {
  readonly alg: SigningAlgorithm;
  readonly size: number;
  readonly prepared: PreparedLatchkey<FleetSeeding>;
  readonly tenants: readonly FleetTenant[];
}

type CacheCounts = Map<string, { hit: number; miss: number }>;

function cacheCounts(metrics: string): CacheCounts {
  const counts: CacheCounts = new Map();
  for (const match of metrics.matchAll(/^latchkey_cache_requests_total\{cache="([^"]+)",result="(hit|miss)"\} (\d+)$/gm)) {
    const entry = counts.get(match[1]!) ?? { hit: 0, miss: 0 };
    entry[match[2] as 'hit' | 'miss'] += Number(match[3]);
    counts.set(match[1]!, entry);
  }
  return counts;
}

/** The share of hits per cache since the server started (or since `before`), from its Prometheus text. */
export function cacheHitRates(metrics: string, before: CacheCounts = new Map()): Record<string, string> {
  const rates: Record<string, string> = {};
  for (const [cache, now] of cacheCounts(metrics)) {
    const hit = now.hit - (before.get(cache)?.hit ?? 0);
    const miss = now.miss - (before.get(cache)?.miss ?? 0);
    if (hit + miss > 0) rates[cache] = `${((100 * hit) / (hit + miss)).toFixed(1)} %`;
  }
  return rates;
}

const PREWARM_CONCURRENCY = 16;

/**
 * `--prewarm`: one request per tenant before the warm-up (a token for each client, or its discovery document and
 * JWKS), so a row measures the steady state of a long-running server rather than a fresh one's first touches.
 * A fresh process starts every row and round; without this, 10k tenants at ~1,000 req/s are mostly first
 * requests in an 8 s run whatever the caches could hold.
 */
async function prewarm(fleet: Fleet, kind: Kind): Promise<void> {
  const { baseUrl } = fleet.prepared;
  let next = 0;
  const one = async (tenant: FleetTenant) => {
    const responses = kind === 'discovery+jwks'
      ? [await fetch(`${baseUrl}/t/${tenant.slug}/.well-known/openid-configuration`), await fetch(`${baseUrl}/t/${tenant.slug}/jwks`)]
      : [await fetch(`${baseUrl}/oauth2/token`, { method: 'POST', headers: { authorization: basicAuth(tenant.clientId, tenant.clientSecret), 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' })];
    for (const response of responses) {
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`pre-warm of ${tenant.slug} answered ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: PREWARM_CONCURRENCY }, async () => {
    while (next < fleet.tenants.length) await one(fleet.tenants[next++]!);
  }));
}

function fleetTarget(name: string, fleet: Fleet, kind: Kind, request: LoadRequest, warmFirst: boolean): Target {
  const metrics = async () => (await fetch(`${fleet.prepared.baseUrl}/metrics`)).text();
  return {
    name,
    async start() {
      const server = await startLatchkey(fleet.prepared);
      let before: CacheCounts = new Map();
      try {
        await requestToken(fleet.prepared.tokenRequest);
        if (warmFirst) {
          await prewarm(fleet, kind);
          before = cacheCounts(await metrics());
        }
      } catch (error) {
        await server.stop();
        throw error;
      }
      return {
        server,
        request,
        jwksUrl: `${fleet.prepared.baseUrl}/t/${TENANT_SLUG}/jwks`,
        afterRun: async () => cacheHitRates(await metrics(), before),
      };
    },
  };
}

async function prepareFleet(alg: SigningAlgorithm, size: number): Promise<{ fleet: Fleet; note: string }> {
  const prepared = await prepareLatchkey({ alg, seed: ({ ctx }) => seedTenantFleet(ctx, size - 1, alg) });
  const seeding = prepared.seeded;
  const bench: FleetTenant = { slug: TENANT_SLUG, clientId: prepared.clientId, clientSecret: prepared.clientSecret };
  const perKey = seeding.tenants.length === 0 ? 'n/a' : `${(seeding.keyBusyMs / seeding.tenants.length).toFixed(2)} ms CPU per key`;
  const note =
    `${alg} ${label(size)} tenants seeded in ${(seeding.seedMs / 1000).toFixed(1)} s ` +
    `(key generation ${(seeding.keyWallMs / 1000).toFixed(1)} s on ${seeding.workers} threads, ${perKey}; rows ${((seeding.seedMs - seeding.keyWallMs) / 1000).toFixed(1)} s)`;
  return { fleet: { alg, size, prepared, tenants: [bench, ...seeding.tenants] }, note };
}

function targetsOf(fleet: Fleet, warmFirst: boolean): Target[] {
  const { alg, size, prepared, tenants } = fleet;
  const uniform = fleetTarget(rowName(alg, size, 'uniform'), fleet, 'uniform', spreadTokenRequests(prepared.baseUrl, tenants, 'uniform'), warmFirst);
  if (alg !== 'ES256') return [uniform];
  return [
    uniform,
    fleetTarget(rowName(alg, size, 'zipf'), fleet, 'zipf', spreadTokenRequests(prepared.baseUrl, tenants, 'zipf'), warmFirst),
    fleetTarget(rowName(alg, size, 'discovery+jwks'), fleet, 'discovery+jwks', spreadDiscoveryRequests(prepared.baseUrl, tenants), warmFirst),
  ];
}

function ratiosOf(sizes: readonly number[], rsSizes: readonly number[]): Ratio[] {
  const largest = Math.max(...sizes);
  const ratios: Ratio[] = [];
  for (const size of sizes.filter((s) => s > 1)) {
    const atTarget = size === largest && size >= 100_000;
    ratios.push({ label: `ES256 uniform, ${label(size)} / 1 tenant`, numerator: rowName('ES256', size, 'uniform'), denominator: rowName('ES256', 1, 'uniform'), ...(atTarget ? { target: { atLeast: 0.8 } } : {}) });
    ratios.push({ label: `ES256 Zipf, ${label(size)} / 1 tenant`, numerator: rowName('ES256', size, 'zipf'), denominator: rowName('ES256', 1, 'uniform'), ...(atTarget ? { target: { atLeast: 0.9 } } : {}) });
    ratios.push({ label: `discovery+JWKS, ${label(size)} / 1 tenant`, numerator: rowName('ES256', size, 'discovery+jwks'), denominator: rowName('ES256', 1, 'discovery+jwks') });
  }
  for (const size of rsSizes.filter((s) => s > 1)) {
    ratios.push({ label: `RS256 uniform, ${label(size)} / 1 tenant`, numerator: rowName('RS256', size, 'uniform'), denominator: rowName('RS256', 1, 'uniform') });
  }
  return ratios;
}

function factsOf(rows: readonly Row[], sizes: readonly number[]): Fact[] {
  const facts: Fact[] = [];
  const base = rows.find((r) => r.name === rowName('ES256', 1, 'uniform'));
  for (const size of sizes.filter((s) => s > 1)) {
    const row = rows.find((r) => r.name === rowName('ES256', size, 'uniform'));
    if (row === undefined || base === undefined) continue;
    const atTarget = size >= 100_000;
    const p99 = row.p99Ms / Math.max(base.p99Ms, 1);
    facts.push({ label: `p99 ES256 uniform, ${label(size)} / 1 tenant`, value: p99.toFixed(2), ...(atTarget ? { target: '<= 3', met: p99 <= 3 } : {}) });
    if (row.peakRssBytes !== undefined) {
      const mb = row.peakRssBytes / 1024 / 1024;
      facts.push({ label: `peak RSS per worker, ES256 uniform, ${label(size)} tenants`, value: `${mb.toFixed(0)} MB`, ...(atTarget ? { target: '<= 300 MB', met: mb <= 300 } : {}) });
    }
  }
  return facts;
}

/** The SVG of throughput and peak RSS against tenant count, for every measured series. */
export function tenantsFigure(rows: readonly Row[], sizes: readonly number[], rsSizes: readonly number[], title: string): string {
  const series = (alg: SigningAlgorithm, kind: Kind, list: readonly number[], value: (row: Row) => number | undefined) => ({
    label: `${alg} ${kind}`,
    points: list.flatMap((size) => {
      const row = rows.find((r) => r.name === rowName(alg, size, kind));
      const y = row === undefined ? undefined : value(row);
      return y === undefined ? [] : [[size, y] as const];
    }),
  });
  const rps = (row: Row) => row.requestsPerSecond;
  const rss = (row: Row) => (row.peakRssBytes === undefined ? undefined : row.peakRssBytes / 1024 / 1024);
  const kinds: Kind[] = ['uniform', 'zipf', 'discovery+jwks'];
  return lineChartSvg(title, [
    { title: 'throughput', unit: 'req/s', series: [...kinds.map((k) => series('ES256', k, sizes, rps)), ...(rsSizes.length > 0 ? [series('RS256', 'uniform', rsSizes, rps)] : [])] },
    { title: 'peak RSS (one worker)', unit: 'MB', series: [...kinds.map((k) => series('ES256', k, sizes, rss)), ...(rsSizes.length > 0 ? [series('RS256', 'uniform', rsSizes, rss)] : [])] },
  ]);
}

export async function runTenantsAtScale(options: RunOptions): Promise<Report> {
  const sizes = [...new Set([1, ...(options.tenantCounts ?? (options.tiny ? TINY_TENANT_COUNTS : DEFAULT_TENANT_COUNTS))])].sort((a, b) => a - b);
  const withRsa = options.tenantAlgorithms === undefined || options.tenantAlgorithms.includes('RS256');
  const rsSizes = withRsa ? sizes.filter((s) => s <= RS256_MAX_TENANTS) : [];
  const fleets: Fleet[] = [];
  const notes: string[] = [];
  try {
    for (const [alg, list] of [['ES256', sizes], ['RS256', rsSizes]] as const) {
      for (const size of list) {
        const { fleet, note } = await prepareFleet(alg, size);
        fleets.push(fleet);
        notes.push(note);
      }
    }
    const warmFirst = options.prewarm === true;
    const rows = await measureAll(fleets.flatMap((fleet) => targetsOf(fleet, warmFirst)), options);
    for (const row of rows) {
      if (row.extra) notes.push(`cache hits, ${row.name}: ${Object.entries(row.extra).map(([cache, rate]) => `${cache} ${rate}`).join(', ')}`);
    }
    notes.push(warmFirst
      ? 'pre-warmed (--prewarm): every tenant was asked once before the warm-up; cache hit rates count the warm-up and the measured run only; RSS is the peak of the one worker process (LATCHKEY_WORKERS=1)'
      : 'cache hit rates count the warm-up and the measured run, from a fresh process (--prewarm asks every tenant once first); RSS is the peak of the one worker process (LATCHKEY_WORKERS=1)');
    const title = `Scenario 8: tenants at scale (SQLite, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC)`;
    const plot = options.plotPath ?? (options.tiny ? undefined : DEFAULT_PLOT);
    if (plot !== undefined) {
      mkdirSync(dirname(plot), { recursive: true });
      writeFileSync(plot, tenantsFigure(rows, sizes, rsSizes, title));
      notes.push(`figure written to ${plot}`);
    }
    return { title, rows, ratios: ratiosOf(sizes, rsSizes), facts: factsOf(rows, sizes), notes };
  } finally {
    for (const fleet of fleets) await fleet.prepared.drop();
  }
}

export const tenantsScenario: Scenario = {
  name: 'tenants',
  summary: 'scenario 8: 1 to 100k tenants, uniform and Zipf client_credentials, discovery + JWKS, cache hit rates',
  async run(options) {
    return [await runTenantsAtScale(options)];
  },
};
