/**
 * Rows of several tables read in one joined query (issue 21: on PostgreSQL every read is a round trip): each
 * table's columns are selected under a prefix and split back into rows. The column maps are typed against the
 * row types, so a column added to the schema fails the build until the joined reads select it too.
 */
import { sql } from 'kysely';
import type { UsersTable } from '../schema.ts';

export type Columns<T> = { readonly [K in keyof Required<T>]: true };

export const USER_COLUMNS: Columns<UsersTable> = {
  id: true,
  tenant_id: true,
  kind: true,
  email: true,
  email_normalized: true,
  username: true,
  username_normalized: true,
  first_name: true,
  last_name: true,
  display_name: true,
  status: true,
  password_hash: true,
  role: true,
  admin_role: true,
  email_verified_at: true,
  created_at: true,
  updated_at: true,
};

/** `table.column as <prefix>column` for every column of the map. */
export function aliased(table: string, prefix: string, columns: object) {
  return Object.keys(columns).map((column) => sql.ref(`${table}.${column}`).as(`${prefix}${column}`));
}

/** The row of one table back out of a joined row. */
export function unprefix<T>(row: Record<string, unknown>, prefix: string, columns: object): T {
  return Object.fromEntries(Object.keys(columns).map((column) => [column, row[`${prefix}${column}`]])) as T;
}
