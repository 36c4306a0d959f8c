import { sql } from 'kysely';
import type { Database } from '../database.ts';
import type { TableInfo } from '../introspection.ts';

export async function describeSqliteTables(db: Database): Promise<TableInfo[]> {
  const names = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(db);
  const tables: TableInfo[] = [];
  for (const { name } of names.rows) {
    const columns = await sql<{ name: string; pk: number }>`select name, pk from pragma_table_info(${name}) order by cid`.execute(db);
    const foreignKeys = await sql<{ table: string; from: string; to: string | null }>`select "table", "from", "to" from pragma_foreign_key_list(${name})`.execute(db);
    tables.push({
      name,
      columns: columns.rows.map((c) => c.name),
      primaryKey: columns.rows.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
      foreignKeys: foreignKeys.rows.map((fk) => ({ column: fk.from, table: fk.table, refColumn: fk.to ?? 'rowid' })),
    });
  }
  return tables;
}
