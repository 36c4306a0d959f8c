/**
 * The console's user list at scale (issue 19): one tenant with 100k users on PostgreSQL (or SQLite), then the
 * requests the users page makes, through a real server over loopback: the first page, a later page, and searches
 * (`q`: part of an email, username or name) that match many users, one user, and none (the worst case: every
 * row of the tenant is looked at). Prints p50/p90/max of the HTTP request time and of the database query alone.
 * Measured, never asserted (the machine is shared).
 *
 *   npm run bench:console                         # PostgreSQL, 100k users, 20 samples a request
 *   npm run bench:console -- --dialect sqlite --users 20000 --samples 10
 *
 * PostgreSQL: LATCHKEY_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test) must allow
 * `create database`; a scratch database is made and dropped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { sql } from 'kysely';
import { loadConfig } from '../packages/server/src/config/load-config.ts';
import { startServer } from '../packages/server/src/server.ts';
import type { Database, DialectName } from '../packages/server/src/db/database.ts';
import { userAdminQueries } from '../packages/server/src/db/queries/user-admin.ts';
import type { UserFilter } from '../packages/server/src/db/queries/user-admin.ts';
import { createClient } from '../packages/server/src/directory/clients.ts';
import { createTenant } from '../packages/server/src/directory/tenants.ts';
import { createUser } from '../packages/server/src/directory/users.ts';
import { issueAccessToken } from '../packages/server/src/tokens/access-token.ts';
import { freePort } from '../packages/server/src/util/free-port.ts';
import { newId } from '../packages/server/src/util/ids.ts';

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Dennis', 'Radia', 'Frances', 'John', 'Leslie', 'Tim', 'Vint', 'Katherine'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Ritchie', 'Perlman', 'Allen', 'McCarthy', 'Lamport', 'Berners-Lee', 'Cerf', 'Johnson'];

async function seedUsers(db: Database, tenantId: string, count: number): Promise<void> {
  const now = Date.now() - count;
  const perStatement = 2000;
  for (let start = 0; start < count; start += perStatement) {
    const rows = [];
    for (let i = start; i < Math.min(count, start + perStatement); i++) {
      const first = FIRST[i % FIRST.length]!;
      const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
      const email = `${first}.${last}.${i}@bench.example`.toLowerCase();
      rows.push({
        id: newId('usr', now + i), tenant_id: tenantId, kind: 'person' as const, email, email_normalized: email, username: `u${i}`, username_normalized: `u${i}`,
        first_name: first, last_name: last, display_name: `${first} ${last}`, status: 'active' as const, password_hash: null, role: null, admin_role: null,
        created_at: now + i, updated_at: now + i,
      });
    }
    await db.insertInto('users').values(rows).execute();
  }
}

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return `p50 ${at(0.5).toFixed(1)} ms  p90 ${at(0.9).toFixed(1)} ms  max ${sorted[sorted.length - 1]!.toFixed(1)} ms`;
}

async function scratchDatabase(dialect: DialectName): Promise<{ url: string; dir: string; drop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-console-'));
  if (dialect === 'sqlite') return { url: `sqlite:${join(dir, 'bench.db')}`, dir, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  const adminUrl = process.env.LATCHKEY_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `latchkey_bench_console_${process.pid}`;
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
  return { url: url.href, dir, drop: async () => (await run(`drop database if exists ${name} with (force)`), rmSync(dir, { recursive: true, force: true })) };
}

const { values } = parseArgs({ options: { dialect: { type: 'string', default: 'postgres' }, users: { type: 'string', default: '100000' }, samples: { type: 'string', default: '20' } } });
const dialect = values.dialect as DialectName;
const users = Number(values.users);
const samples = Number(values.samples);
const scratch = await scratchDatabase(dialect);
const port = await freePort();
const config = loadConfig({
  HOST: '127.0.0.1', PORT: String(port), LATCHKEY_DATABASE_URL: scratch.url, LATCHKEY_DATA_DIR: scratch.dir, LATCHKEY_LOG_LEVEL: 'silent',
  LATCHKEY_SECRET: 'bench-master-secret-that-is-long-enough-0123456789', LATCHKEY_ADMIN_RATE_LIMIT_PER_PRINCIPAL: '100000',
});
const server = await startServer(config);
try {
  const ctx = server.ctx;
  const tenant = await createTenant(ctx, { slug: 'bench' });
  const seeding = performance.now();
  await seedUsers(ctx.db, tenant.id, users);
  if (dialect === 'postgres') await sql`analyze users`.execute(ctx.db);
  console.log(`${dialect}: seeded ${users} users in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);
  const admin = await createUser(ctx, tenant, { email: 'admin@bench.example' });
  await ctx.db.updateTable('users').set({ admin_role: 'tenant_admin' }).where('id', '=', admin.id).execute();
  const { client } = await createClient(ctx, tenant, { name: 'console', type: 'public', redirectUris: ['http://127.0.0.1/cb'], scopes: ['openid', 'latchkey:admin'] });
  const { token } = await issueAccessToken(ctx, { tenant, client, subject: admin.id, scope: ['latchkey:admin'] });
  const middle = (await userAdminQueries(ctx.db).list(tenant.id, {}, { limit: 1, cursor: newId('usr', Date.now() - Math.floor(users / 2)).slice(0, 14) })).data[0]!.id;
  const cases: Array<[string, string, UserFilter, string | undefined]> = [
    ['first page', '', {}, undefined],
    ['a page in the middle', '', {}, middle],
    ['search, many match ("lovelace")', 'lovelace', { q: 'lovelace' }, undefined],
    ['search, one matches ("u99999")', `u${users - 1}`, { q: `u${users - 1}` }, undefined],
    ['search, none match ("zzzz")', 'zzzz', { q: 'zzzz' }, undefined],
  ];
  for (const [name, q, filter, cursor] of cases) {
    const http: number[] = [];
    const query: number[] = [];
    const url = `${server.url}/admin/v1/tenants/bench/users?limit=50${q ? `&q=${encodeURIComponent(q)}` : ''}${cursor ? `&cursor=${cursor}` : ''}`;
    for (let i = 0; i < samples + 2; i++) {
      let started = performance.now();
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${name}: ${response.status}`);
      const elapsed = performance.now() - started;
      started = performance.now();
      await userAdminQueries(ctx.db).list(tenant.id, filter, { limit: 50, ...(cursor ? { cursor } : {}) });
      if (i >= 2) { // the first two warm caches and compile the route
        http.push(elapsed);
        query.push(performance.now() - started);
      }
    }
    console.log(`${name.padEnd(34)} request ${stats(http)}   query ${stats(query)}`);
  }
} finally {
  await server.close();
  await scratch.drop();
}
