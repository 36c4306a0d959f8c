import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * The admin console (issue 19):
 * - one-time links that create the first super admin: `latchkey serve` on a deployment without one, or
 *   `latchkey admin bootstrap`, stores the SHA-256 of a random token; the console's bootstrap page spends it once;
 * - on PostgreSQL, a trigram index for the user search (`q`: part of an email, username or name), so a search in
 *   a tenant of 100k users reads the index instead of every row. The expression must stay the one in
 *   `queries/user-admin.ts`. Without the pg_trgm extension (or the right to create it) the search still works,
 *   by scanning; SQLite always scans (one machine, smaller directories).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('bootstrap_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  if (!(await isPostgres(db))) return;
  const trigrams = await sql<{ ready: boolean }>`select exists (select 1 from pg_extension where extname = 'pg_trgm')
      or (exists (select 1 from pg_available_extensions where name = 'pg_trgm') and has_database_privilege(current_database(), 'CREATE')) as ready`.execute(db);
  if (trigrams.rows[0]?.ready !== true) return;
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`create index users_search_trgm_idx on users using gin ((lower(coalesce(email_normalized, '') || ' ' || coalesce(username_normalized, '') || ' ' || coalesce(display_name, ''))) gin_trgm_ops)`.execute(db);
}

async function isPostgres(db: Kysely<unknown>): Promise<boolean> {
  try {
    await sql`select 1 from pg_catalog.pg_am limit 1`.execute(db);
    return true;
  } catch {
    return false; // SQLite has no pg_catalog; a failed statement there leaves the transaction usable
  }
}
