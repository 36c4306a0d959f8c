/**
 * What tables the database holds, their columns, primary keys and foreign keys, read from the database itself
 * (the dialect folders know how). Export and import use it so that every table, including ones added by later
 * migrations, is carried over in an order the foreign keys accept.
 */
import type { Database, DialectName } from './database.ts';
import { describeSqliteTables } from './sqlite/introspection.ts';
import { describePostgresTables } from './postgres/introspection.ts';

export interface ForeignKey {
  readonly column: string;
  readonly table: string;
  readonly refColumn: string;
}

export interface TableInfo {
  readonly name: string;
  readonly columns: readonly string[];
  readonly primaryKey: readonly string[];
  readonly foreignKeys: readonly ForeignKey[];
}

/**
 * Bookkeeping of the running deployment, not data: the shared change counter (`cache-sync.ts`) belongs to the
 * database it counts for, and every migrated database already has its one row (an import would collide with it).
 */
const BOOKKEEPING_TABLES: ReadonlySet<string> = new Set(['directory_changes']);

/** Every table of Latchkey's schema (Kysely's and Latchkey's own bookkeeping tables excluded), sorted by name. */
export async function describeTables(db: Database, dialect: DialectName): Promise<TableInfo[]> {
  const tables = dialect === 'sqlite' ? await describeSqliteTables(db) : await describePostgresTables(db);
  return tables.filter((t) => !t.name.startsWith('kysely_') && !BOOKKEEPING_TABLES.has(t.name)).sort((a, b) => a.name.localeCompare(b.name));
}
