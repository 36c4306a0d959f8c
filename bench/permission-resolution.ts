/**
 * Effective-permission resolution at scale (issue 4): seeds one tenant with 100k users, 10k groups nested
 * 8 levels deep (every group under 1 or 2 groups of the level above, so diamonds abound), 500 roles of 5
 * permissions mapped to every group, direct roles for some users and 3 memberships per user, using bulk
 * inserts; then times `resolveAccess` (the query the token endpoint and userinfo run) for a random sample of
 * users, one at a time, and reports p50/p90/p99/max per user on SQLite and PostgreSQL.
 *
 *   npm run bench:permissions                       # both dialects, the sizes above
 *   npm run bench:permissions -- --dialect sqlite --users 20000 --groups 2000 --samples 500 --json
 *
 * PostgreSQL: LATCHKEY_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test) must allow
 * `create database`; a scratch database is made and dropped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase } from '../packages/server/src/db/database.ts';
import type { Database, DialectName } from '../packages/server/src/db/database.ts';
import { migrateToLatest } from '../packages/server/src/db/migrate.ts';
import { resolveAccess } from '../packages/server/src/directory/access.ts';
import { DEFAULT_TENANT_SETTINGS } from '../packages/server/src/directory/tenant-settings.ts';
import { newId } from '../packages/server/src/util/ids.ts';

interface Sizes {
  readonly users: number;
  readonly groups: number;
  readonly depth: number;
  readonly roles: number;
  readonly membershipsPerUser: number;
  readonly samples: number;
}

/** A seeded pseudo-random generator (mulberry32) so both dialects get the same directory. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Row = Record<string, string | number | null>;

/** Multi-row inserts sized under both databases' bound-parameter limits, in one transaction. */
async function bulkInsert(db: Database, table: string, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const perStatement = Math.max(1, Math.floor(30_000 / Object.keys(rows[0]!).length));
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += perStatement) {
      // The bench writes generated rows straight into the tables; the schema types are not needed here.
      await (trx as unknown as Database).insertInto(table as 'users').values(rows.slice(i, i + perStatement) as never).execute();
    }
  });
}

async function seed(db: Database, sizes: Sizes): Promise<string[]> {
  const rand = random(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const now = Date.now();
  const tenantId = newId('tnt', now);
  await bulkInsert(db, 'tenants', [{ id: tenantId, slug: 'bench', name: 'bench', partner_id: null, settings: JSON.stringify(DEFAULT_TENANT_SETTINGS), created_at: now, updated_at: now }]);

  const levels: string[][] = Array.from({ length: sizes.depth }, () => []);
  const groups: Row[] = [];
  for (let i = 0; i < sizes.groups; i++) {
    const id = newId('grp', now);
    levels[Math.min(sizes.depth - 1, Math.floor((i * sizes.depth) / sizes.groups))]!.push(id);
    groups.push({ id, tenant_id: tenantId, name: `group-${i}`, description: null, created_at: now, updated_at: now });
  }
  await bulkInsert(db, 'groups', groups);
  const parents: Row[] = [];
  for (let level = 1; level < sizes.depth; level++) {
    for (const child of levels[level]!) {
      const first = pick(levels[level - 1]!);
      parents.push({ child_group_id: child, parent_group_id: first, created_at: now });
      const second = pick(levels[level - 1]!);
      if (rand() < 0.3 && second !== first) parents.push({ child_group_id: child, parent_group_id: second, created_at: now });
    }
  }
  await bulkInsert(db, 'group_parents', parents);

  const permissionPool = Array.from({ length: 2000 }, (_, i) => `service${i % 40}.action${i}`);
  const roleIds: string[] = [];
  const roles: Row[] = [];
  for (let i = 0; i < sizes.roles; i++) {
    const id = newId('rol', now);
    roleIds.push(id);
    const permissions = [...new Set(Array.from({ length: 5 }, () => pick(permissionPool)))].sort();
    roles.push({ id, tenant_id: tenantId, name: `role-${i}`, description: null, permissions: JSON.stringify(permissions), created_at: now, updated_at: now });
  }
  await bulkInsert(db, 'roles', roles);
  await bulkInsert(db, 'group_roles', groups.map((g) => ({ group_id: g.id as string, role_id: pick(roleIds), created_at: now })));

  const userIds: string[] = [];
  const users: Row[] = [];
  const members: Row[] = [];
  const userRoles: Row[] = [];
  const deepest = levels.slice(Math.floor(sizes.depth / 2)).flat();
  for (let i = 0; i < sizes.users; i++) {
    const id = newId('usr', now);
    userIds.push(id);
    const email = `user${i}@bench.test`;
    users.push({
      id, tenant_id: tenantId, kind: 'person', email, email_normalized: email, username: null, username_normalized: null, first_name: null, last_name: null,
      display_name: `User ${i}`, status: 'active', password_hash: null, role: null, admin_role: null, created_at: now, updated_at: now,
    });
    // Members mostly of the lower (deeper) half, so most resolutions walk several levels up.
    const chosen = new Set(Array.from({ length: sizes.membershipsPerUser }, () => (rand() < 0.8 ? pick(deepest) : pick(groups).id as string)));
    for (const groupId of chosen) members.push({ group_id: groupId, user_id: id, created_at: now });
    if (rand() < 0.3) userRoles.push({ user_id: id, role_id: pick(roleIds), created_at: now });
  }
  await bulkInsert(db, 'users', users);
  await bulkInsert(db, 'group_members', members);
  await bulkInsert(db, 'user_roles', userRoles);
  return userIds;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Result {
  readonly dialect: DialectName;
  readonly seedSeconds: number;
  readonly samples: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanGroupsReached: number;
  readonly meanPermissions: number;
}

async function measure(dialect: DialectName, sizes: Sizes): Promise<Result> {
  const scratch = await scratchDatabase(dialect);
  const { db } = openDatabase(scratch.url);
  try {
    await migrateToLatest(db);
    const seedStart = performance.now();
    const userIds = await seed(db, sizes);
    if (dialect === 'postgres') await (await import('kysely')).sql`analyze`.execute(db);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const rand = random(7);
    for (let i = 0; i < Math.min(100, sizes.samples); i++) await resolveAccess(db, userIds[Math.floor(rand() * userIds.length)]!);
    const times: number[] = [];
    let groupsReached = 0;
    let permissions = 0;
    for (let i = 0; i < sizes.samples; i++) {
      const userId = userIds[Math.floor(rand() * userIds.length)]!;
      const start = performance.now();
      const access = await resolveAccess(db, userId);
      times.push(performance.now() - start);
      groupsReached += access.allGroups.length;
      permissions += access.permissions.length;
    }
    times.sort((a, b) => a - b);
    const round = (n: number) => Math.round(n * 1000) / 1000;
    return {
      dialect, seedSeconds: round(seedSeconds), samples: sizes.samples,
      p50Ms: round(percentile(times, 50)), p90Ms: round(percentile(times, 90)), p99Ms: round(percentile(times, 99)), maxMs: round(times.at(-1)!),
      meanGroupsReached: round(groupsReached / sizes.samples), meanPermissions: round(permissions / sizes.samples),
    };
  } finally {
    await db.destroy();
    await scratch.drop();
  }
}

async function scratchDatabase(dialect: DialectName): Promise<{ url: string; drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
    return { url: `sqlite:${join(dir, 'bench.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const adminUrl = process.env.LATCHKEY_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `latchkey_bench_${process.pid}`;
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await run(`drop database if exists ${name} with (force)`);
  await run(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.href, drop: () => run(`drop database if exists ${name} with (force)`) };
}

const { values } = parseArgs({
  options: {
    dialect: { type: 'string', default: 'both' },
    users: { type: 'string', default: '100000' },
    groups: { type: 'string', default: '10000' },
    depth: { type: 'string', default: '8' },
    samples: { type: 'string', default: '2000' },
    json: { type: 'boolean', default: false },
  },
});
const sizes: Sizes = { users: Number(values.users), groups: Number(values.groups), depth: Number(values.depth), roles: 500, membershipsPerUser: 3, samples: Number(values.samples) };
for (const [name, value] of Object.entries(sizes)) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive whole number`);
}
const dialects: DialectName[] = values.dialect === 'both' ? ['sqlite', 'postgres'] : [values.dialect as DialectName];
const results: Result[] = [];
if (!values.json) {
  console.log(`# effective-permission resolution: ${sizes.users} users, ${sizes.groups} groups, depth ${sizes.depth}, ${sizes.roles} roles, ${sizes.membershipsPerUser} memberships/user`);
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; ${sizes.samples} users resolved one at a time after 100 warm-up`);
}
for (const dialect of dialects) {
  const result = await measure(dialect, sizes);
  results.push(result);
  if (!values.json) {
    console.log(
      `${dialect.padEnd(9)} seed ${result.seedSeconds.toFixed(1)} s | per user p50 ${result.p50Ms.toFixed(2)} ms  p90 ${result.p90Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms  max ${result.maxMs.toFixed(2)} ms | ` +
        `${result.meanGroupsReached} groups reached, ${result.meanPermissions} permissions on average`,
    );
  }
}
if (values.json) console.log(JSON.stringify({ sizes, results }, null, 2));
