/** The admin side of users: filtered lists, partial updates and deletion (sign-in lookups live in users.ts). */
import { sql } from 'kysely';
import type { RawBuilder, SqlBool } from 'kysely';
import type { Database } from '../database.ts';
import type { UsersTable } from '../schema.ts';
import type { UserRow } from './users.ts';
import { containsInsensitive, toPage } from './page.ts';
import type { Page, PageRequest } from './page.ts';

export interface UserFilter {
  /** Exact email, case-insensitive. */
  readonly email?: string | undefined;
  /** Case-insensitive substring of the display name. */
  readonly name?: string | undefined;
  /** Direct members of this group id. */
  readonly group?: string | undefined;
  readonly kind?: 'person' | 'service' | undefined;
  /** Case-insensitive substring of the email, username or display name (the console's search box). */
  readonly q?: string | undefined;
}

/**
 * The user search: one text of email, username and display name, lower-cased, containing `q` (wildcards
 * escaped). On PostgreSQL the trigram index of migration 0009 is built on exactly this expression.
 */
function searchTextContains(q: string): RawBuilder<SqlBool> {
  const pattern = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`lower(coalesce(email_normalized, '') || ' ' || coalesce(username_normalized, '') || ' ' || coalesce(display_name, '')) like ${pattern} escape '\\'`;
}

export type UserChanges = Partial<Pick<UsersTable, 'email' | 'email_normalized' | 'username' | 'username_normalized' | 'first_name' | 'last_name' | 'display_name' | 'status' | 'role' | 'admin_role' | 'password_hash'>>;

export function userAdminQueries(db: Database) {
  return {
    async find(tenantId: string, id: string): Promise<UserRow | undefined> {
      return db.selectFrom('users').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId).executeTakeFirst();
    },
    async list(tenantId: string, filter: UserFilter, page: PageRequest): Promise<Page<UserRow>> {
      let query = db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).orderBy('id').limit(page.limit + 1);
      if (filter.email) query = query.where('email_normalized', '=', filter.email.trim().toLowerCase());
      if (filter.name) query = query.where(containsInsensitive('display_name', filter.name));
      if (filter.kind) query = query.where('kind', '=', filter.kind);
      if (filter.q) query = query.where(searchTextContains(filter.q.trim()));
      if (filter.group) query = query.where('id', 'in', db.selectFrom('group_members').select('user_id').where('group_id', '=', filter.group!));
      if (page.cursor) query = query.where('id', '>', page.cursor);
      return toPage(await query.execute(), page, (row) => row.id);
    },
    async update(id: string, changes: UserChanges, now: number): Promise<void> {
      await db.updateTable('users').set({ ...changes, updated_at: now }).where('id', '=', id).execute();
    },
    async delete(id: string): Promise<void> {
      await db.deleteFrom('users').where('id', '=', id).execute();
    },
  };
}
