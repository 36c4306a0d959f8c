/**
 * What a client_credentials token costs when nothing about its tenant is cached (the 100k-tenant uniform case,
 * issue 21) against when everything is, in CPU time and SQLite statements, without a load generator: wall-clock
 * throughput on a shared machine says little, the CPU a process spent per token says much more. One process,
 * one SQLite file, N ES256 tenants (`tenant-fleet.ts`), two Latchkey instances on it: a warm one whose caches
 * hold every tenant, and a cold one whose 1 MiB budget holds a few hundred, cycled over all N so every lookup
 * misses (tenant, client, service account, key rows, imported key). Tokens go one at a time through Fastify's
 * `inject` (the whole request path, no socket). CPU is `process.cpuUsage` (every thread: libuv's pool signs).
 * Also prints the caches' own estimate of the bytes they hold per tenant (`latchkey_cache_bytes` / tenants).
 *
 * `npm run bench:cold-token -- [tenants=2000] [rounds=5] [cold|warm]`: with `cold` or `warm`, only that instance is
 * measured (to run under `--cpu-prof` and see one path alone).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatementSync } from 'node:sqlite';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../../packages/server/src/config/load-config.ts';
import { createLatchkey } from '../../../packages/server/src/context.ts';
import type { Latchkey } from '../../../packages/server/src/context.ts';
import { buildApp } from '../../../packages/server/src/http/app.ts';
import { seedTenantFleet } from '../servers/tenant-fleet.ts';
import type { FleetTenant } from '../servers/tenant-fleet.ts';

const TENANTS = Number(process.argv[2] ?? 2000);
const ROUNDS = Number(process.argv[3] ?? 5);
const ONLY = process.argv[4] as 'cold' | 'warm' | undefined;
const SECRET = 'cold-token-bench-master-secret-0123456789abcdef';

/** Counts every statement node:sqlite runs (the dialect caches prepared statements, so count executions). */
let statements = 0;
for (const method of ['all', 'run', 'iterate', 'get'] as const) {
  const original = StatementSync.prototype[method] as (...args: unknown[]) => unknown;
  (StatementSync.prototype as unknown as Record<string, unknown>)[method] = function (this: StatementSync, ...args: unknown[]) {
    statements += 1;
    return original.apply(this, args);
  };
}

async function instance(dir: string, env: Record<string, string>): Promise<{ ctx: Latchkey; app: FastifyInstance }> {
  const config = loadConfig({
    LATCHKEY_DATABASE_URL: `sqlite:${join(dir, 'latchkey.db')}`,
    LATCHKEY_DATA_DIR: dir,
    LATCHKEY_SECRET: SECRET,
    LATCHKEY_LOG_LEVEL: 'silent',
    LATCHKEY_RATE_LIMIT_PER_IP: '100000000',
    LATCHKEY_RATE_LIMIT_PER_CLIENT: '100000000',
    LATCHKEY_CACHE_TTL_SECONDS: '3600',
    ...env,
  });
  const ctx = await createLatchkey(config);
  return { ctx, app: await buildApp(ctx, { isShuttingDown: () => false }) };
}

async function token(app: FastifyInstance, tenant: FleetTenant): Promise<void> {
  const response = await app.inject({
    method: 'POST',
    url: '/oauth2/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${tenant.clientId}:${tenant.clientSecret}`).toString('base64')}` },
    payload: 'grant_type=client_credentials',
  });
  if (response.statusCode !== 200) throw new Error(`token ${response.statusCode}: ${response.body}`);
}

/** CPU microseconds and statements per token over `tenants`, one token each, in order. */
async function measure(app: FastifyInstance, tenants: readonly FleetTenant[]): Promise<{ cpuUs: number; statements: number }> {
  const before = process.cpuUsage();
  const statementsBefore = statements;
  for (const tenant of tenants) await token(app, tenant);
  const cpu = process.cpuUsage(before);
  return { cpuUs: (cpu.user + cpu.system) / tenants.length, statements: (statements - statementsBefore) / tenants.length };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function cacheBytes(app: FastifyInstance): Promise<Map<string, number>> {
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const bytes = new Map<string, number>();
  for (const match of text.matchAll(/^latchkey_cache_bytes\{cache="([^"]+)"\} (\d+)$/gm)) bytes.set(match[1]!, Number(match[2]));
  return bytes;
}

const dir = mkdtempSync(join(tmpdir(), 'latchkey-cold-token-'));
try {
  const warm = await instance(dir, {});
  const cold = await instance(dir, { LATCHKEY_CACHE_MEMORY_MB: '1' });
  const { tenants } = await seedTenantFleet(warm.ctx, TENANTS, 'ES256');
  // Every tenant once through the warm instance (its caches then hold them all), and JIT warm-up on both.
  await measure(warm.app, tenants);
  await measure(cold.app, tenants.slice(0, 200));
  const slice = Math.floor(TENANTS / ROUNDS);
  const rows: { cold: number; warm: number; coldStatements: number; warmStatements: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const part = tenants.slice(round * slice, (round + 1) * slice);
    const c = ONLY === 'warm' ? { cpuUs: NaN, statements: NaN } : await measure(cold.app, part);
    const w = ONLY === 'cold' ? { cpuUs: NaN, statements: NaN } : await measure(warm.app, part);
    rows.push({ cold: c.cpuUs, warm: w.cpuUs, coldStatements: c.statements, warmStatements: w.statements });
  }
  const bytes = await cacheBytes(warm.app);
  let total = 0;
  console.log(`| ${TENANTS} ES256 tenants, ${ROUNDS} rounds of ${slice} tokens | cold (miss everything) | warm (all cached) | cold / warm |`);
  console.log('|---|---|---|---|');
  const [coldCpu, warmCpu] = [median(rows.map((r) => r.cold)), median(rows.map((r) => r.warm))];
  console.log(`| CPU per token (median of rounds) | ${(coldCpu / 1000).toFixed(3)} ms | ${(warmCpu / 1000).toFixed(3)} ms | ${(coldCpu / warmCpu).toFixed(2)} |`);
  console.log(`| rounds | ${rows.map((r) => (r.cold / 1000).toFixed(3)).join(', ')} | ${rows.map((r) => (r.warm / 1000).toFixed(3)).join(', ')} | |`);
  console.log(`| SQLite statements per token | ${median(rows.map((r) => r.coldStatements))} | ${median(rows.map((r) => r.warmStatements))} | |`);
  console.log('\n| cache | bytes per tenant (warm instance, its own estimate) |\n|---|---|');
  for (const [name, value] of bytes) {
    if (value === 0) continue;
    total += value;
    console.log(`| ${name} | ${(value / TENANTS).toFixed(0)} |`);
  }
  console.log(`| all | ${(total / TENANTS).toFixed(0)} |`);
  await warm.app.close();
  await cold.app.close();
  await warm.ctx.close();
  await cold.ctx.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
