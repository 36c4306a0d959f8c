/**
 * Rows written straight into the database with Kysely bulk inserts, for scenarios that need many of them
 * (growth: 1k to 1M refresh tokens, 100k users) or need live refresh tokens without signing anyone in (each
 * live token gets a grant of its own, so a broken chain revokes only its family).
 */
import { randomBytes } from 'node:crypto';
import type { Latchkey } from '../../../packages/server/src/context.ts';
import type { Client } from '../../../packages/server/src/db/queries/clients.ts';
import type { Tenant } from '../../../packages/server/src/db/queries/tenants.ts';
import { createUser } from '../../../packages/server/src/directory/users.ts';
import { generateOpaqueToken, hashSecret } from '../../../packages/server/src/tokens/opaque.ts';

export const USER_SCOPE = 'openid profile email offline_access';
const DAY_MS = 86_400_000;

/** Inserts `rows` in batches that stay under SQLite's 32,766 bound parameters per statement. */
export async function insertInBatches<T extends object>(insert: (batch: T[]) => Promise<unknown>, rows: Iterable<T>, columns: number): Promise<void> {
  const size = Math.floor(30_000 / columns);
  let batch: T[] = [];
  for (const row of rows) {
    batch.push(row);
    if (batch.length === size) {
      await insert(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await insert(batch);
}

/** `count` people of the tenant (no password: argon2id is scenario 5's business). */
export async function seedUsers(ctx: Latchkey, tenant: Tenant, count: number): Promise<void> {
  const now = Date.now();
  function* rows() {
    for (let i = 0; i < count; i += 1) {
      const login = `seed-${i}@bench.example`;
      yield {
        id: `usr_seed_${String(i).padStart(8, '0')}`,
        tenant_id: tenant.id,
        kind: 'person' as const,
        email: login,
        email_normalized: login,
        username: null,
        username_normalized: null,
        first_name: null,
        last_name: null,
        display_name: `Seed ${i}`,
        status: 'active' as const,
        password_hash: null,
        role: null,
        admin_role: null,
        created_at: now,
        updated_at: now,
      };
    }
  }
  await ctx.db.transaction().execute((trx) => insertInBatches((batch) => trx.insertInto('users').values(batch).execute(), rows(), 16));
}

/** The person whose refresh tokens the scenarios use. */
export async function benchUser(ctx: Latchkey, tenant: Tenant): Promise<string> {
  return (await createUser(ctx, tenant, { email: 'ada@bench.example', firstName: 'Ada', lastName: 'Lovelace' })).id;
}

/**
 * `live` refresh tokens (plaintext returned, each in a grant of its own) and `filler` more that only take
 * space (one grant, random hashes nobody knows).
 */
export async function seedRefreshTokens(ctx: Latchkey, tenant: Tenant, client: Client, userId: string, live: number, filler = 0): Promise<string[]> {
  const now = Date.now();
  const grant = (id: string) => ({ id, tenant_id: tenant.id, client_id: client.clientId, user_id: userId, session_id: null, scope: USER_SCOPE, auth_time: now, offline: 1, created_at: now, revoked_at: null });
  const token = (id: string, grantId: string, hash: string) => ({
    token_hash: hash,
    id,
    grant_id: grantId,
    tenant_id: tenant.id,
    client_id: client.clientId,
    scope: USER_SCOPE,
    created_at: now,
    expires_at: now + 30 * DAY_MS,
    rotated_at: null,
    revoked_at: null,
  });
  const tokens = Array.from({ length: live }, () => generateOpaqueToken(32));
  await ctx.db.transaction().execute(async (trx) => {
    await insertInBatches((batch) => trx.insertInto('grants').values(batch).execute(), tokens.map((_, i) => grant(`grt_live_${i}`)), 10);
    await insertInBatches((batch) => trx.insertInto('refresh_tokens').values(batch).execute(), tokens.map((t, i) => token(`rtk_live_${i}`, `grt_live_${i}`, hashSecret(t))), 10);
    if (filler > 0) {
      await trx.insertInto('grants').values(grant('grt_filler')).execute();
      function* fillers() {
        for (let i = 0; i < filler; i += 1) yield token(`rtk_fill_${i}`, 'grt_filler', randomBytes(32).toString('hex'));
      }
      await insertInBatches((batch) => trx.insertInto('refresh_tokens').values(batch).execute(), fillers(), 10);
    }
  });
  return tokens;
}
