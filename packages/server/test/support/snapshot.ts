/**
 * A snapshot of every table's rows, to prove that a refused request changed nothing: take one before and one
 * after and compare with deepStrictEqual.
 */
import { sql } from 'kysely';
import type { Database, DialectName } from '../../src/db/database.ts';

export async function snapshotDatabase(db: Database, dialect: DialectName): Promise<Record<string, unknown[]>> {
  const tables =
    dialect === 'sqlite'
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' order by name`.execute(db)).rows
      : (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public' and table_name not like 'kysely_%' order by table_name`.execute(db)).rows;
  const snapshot: Record<string, unknown[]> = {};
  for (const { name } of tables) {
    const rows = (await sql`select * from ${sql.table(name)}`.execute(db)).rows as Record<string, unknown>[];
    snapshot[name] = rows.map((row) => JSON.stringify(row, Object.keys(row).sort())).sort();
  }
  return snapshot;
}
