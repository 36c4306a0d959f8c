/**
 * Table-generic reads and writes for export and import: pages of any table in primary-key order, batched
 * inserts, and the list of applied migrations. Table and column names come from introspection, never from input.
 */
import { sql } from 'kysely';
import type { Kysely, RawBuilder, SqlBool } from 'kysely';
import type { Database } from '../database.ts';

export type Row = Record<string, unknown>;
type AnyTables = Record<string, Row>;

export function backupQueries(db: Database) {
  const loose = db as unknown as Kysely<AnyTables>;
  return {
    /** Up to `limit` rows after `after` (a primary-key tuple), in primary-key order. */
    async readPage(table: string, primaryKey: readonly string[], where: RawBuilder<SqlBool> | undefined, after: readonly unknown[] | undefined, limit: number): Promise<Row[]> {
      const keys = sql.join(primaryKey.map((c) => sql.ref(c)));
      const conditions: RawBuilder<unknown>[] = [];
      if (where) conditions.push(where);
      if (after) conditions.push(sql`(${keys}) > (${sql.join(after.map((v) => sql`${v}`))})`);
      const filter = conditions.length > 0 ? sql`where ${sql.join(conditions, sql` and `)}` : sql``;
      const result = await sql<Row>`select * from ${sql.table(table)} ${filter} order by ${keys} limit ${limit}`.execute(db);
      return result.rows;
    },
    async insert(table: string, rows: readonly Row[], options: { ignoreConflicts?: boolean } = {}): Promise<void> {
      if (rows.length === 0) return;
      const query = loose.insertInto(table).values(rows as Row[]);
      await (options.ignoreConflicts ? query.onConflict((oc) => oc.doNothing()) : query).execute();
    },
    async count(table: string): Promise<number> {
      const result = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(db);
      return Number(result.rows[0]?.n ?? 0);
    },
    async appliedMigrations(): Promise<string[]> {
      const result = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
      return result.rows.map((r) => r.name);
    },
  };
}
