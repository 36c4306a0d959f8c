import type { Database } from '../database.ts';
import type { ApiKeysTable } from '../schema.ts';
import { toPage } from './page.ts';
import type { Page, PageRequest } from './page.ts';

export type ApiKeyRow = ApiKeysTable;

export function apiKeyQueries(db: Database) {
  return {
    async insert(row: ApiKeysTable): Promise<void> {
      await db.insertInto('api_keys').values(row).execute();
    },
    async find(tenantId: string, id: string): Promise<ApiKeyRow | undefined> {
      return db.selectFrom('api_keys').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId).executeTakeFirst();
    },
    async list(tenantId: string, filter: { owner?: string | undefined }, page: PageRequest): Promise<Page<ApiKeyRow>> {
      let query = db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId).orderBy('id').limit(page.limit + 1);
      if (filter.owner) query = query.where('owner_user_id', '=', filter.owner);
      if (page.cursor) query = query.where('id', '>', page.cursor);
      return toPage(await query.execute(), page, (row) => row.id);
    },
    async rename(id: string, name: string): Promise<void> {
      await db.updateTable('api_keys').set({ name }).where('id', '=', id).execute();
    },
    /** Revokes once: true only for the call that revoked it. */
    async revoke(id: string, now: number): Promise<boolean> {
      const result = await db.updateTable('api_keys').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    /** Moves last_used_at forward only (several instances flush their buffers in any order). */
    async touch(id: string, usedAt: number): Promise<void> {
      await db
        .updateTable('api_keys')
        .set({ last_used_at: usedAt })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', usedAt)]))
        .execute();
    },
  };
}
