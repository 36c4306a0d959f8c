import { sql } from 'kysely';
import type { Database } from '../database.ts';
import type { ForeignKey, TableInfo } from '../introspection.ts';

export async function describePostgresTables(db: Database): Promise<TableInfo[]> {
  const columns = await sql<{ table: string; column: string }>`
    select c.table_name as "table", c.column_name as "column"
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
    order by c.table_name, c.ordinal_position`.execute(db);
  const keys = await sql<{ table: string; column: string }>`
    select cl.relname as "table", att.attname as "column"
    from pg_constraint con
    join pg_class cl on cl.oid = con.conrelid
    join pg_namespace n on n.oid = cl.relnamespace
    cross join lateral unnest(con.conkey) with ordinality as k(attnum, position)
    join pg_attribute att on att.attrelid = con.conrelid and att.attnum = k.attnum
    where con.contype = 'p' and n.nspname = current_schema()
    order by cl.relname, k.position`.execute(db);
  const foreign = await sql<{ table: string; column: string; ref_table: string; ref_column: string }>`
    select cl.relname as "table", att.attname as "column", fcl.relname as ref_table, fatt.attname as ref_column
    from pg_constraint con
    join pg_class cl on cl.oid = con.conrelid
    join pg_namespace n on n.oid = cl.relnamespace
    join pg_class fcl on fcl.oid = con.confrelid
    cross join lateral unnest(con.conkey, con.confkey) as k(attnum, fattnum)
    join pg_attribute att on att.attrelid = con.conrelid and att.attnum = k.attnum
    join pg_attribute fatt on fatt.attrelid = con.confrelid and fatt.attnum = k.fattnum
    where con.contype = 'f' and n.nspname = current_schema()`.execute(db);
  const tables = new Map<string, { columns: string[]; primaryKey: string[]; foreignKeys: ForeignKey[] }>();
  const entry = (name: string) => {
    let table = tables.get(name);
    if (!table) tables.set(name, (table = { columns: [], primaryKey: [], foreignKeys: [] }));
    return table;
  };
  for (const row of columns.rows) entry(row.table).columns.push(row.column);
  for (const row of keys.rows) tables.get(row.table)?.primaryKey.push(row.column);
  for (const row of foreign.rows) tables.get(row.table)?.foreignKeys.push({ column: row.column, table: row.ref_table, refColumn: row.ref_column });
  return [...tables].map(([name, table]) => ({ name, ...table }));
}
