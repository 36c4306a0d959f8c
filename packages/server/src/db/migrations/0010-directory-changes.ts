import type { Kysely } from 'kysely';

/**
 * The shared change counter (issue 21): one row whose `version` every instance bumps after a change that
 * other instances' caches must see, and that every serving instance polls, so caches can keep entries for
 * minutes and still drop them within about a second of a change made elsewhere (`db/cache-sync.ts`). The
 * same DDL on SQLite and PostgreSQL: an integer key and a bigint counter (int8 is parsed as a number).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('directory_changes')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .execute();
  await (db as Kysely<{ directory_changes: { id: number; version: number } }>).insertInto('directory_changes').values({ id: 1, version: 0 }).execute();
}
