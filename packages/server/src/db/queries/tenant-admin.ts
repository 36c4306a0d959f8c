/** The admin side of tenants: filtered, paginated lists; partial updates; deletion. */
import type { Database } from '../database.ts';
import type { TenantsTable } from '../schema.ts';
import { toTenant } from './tenants.ts';
import type { Tenant } from './tenants.ts';
import { toPage } from './page.ts';
import type { Page, PageRequest } from './page.ts';

export interface TenantFilter {
  readonly partnerId?: string | undefined;
  /** Only this tenant (what a tenant_admin may list). */
  readonly onlyId?: string | undefined;
}

export function tenantAdminQueries(db: Database) {
  return {
    async list(filter: TenantFilter, page: PageRequest): Promise<Page<Tenant>> {
      let query = db.selectFrom('tenants').selectAll().orderBy('id').limit(page.limit + 1);
      if (filter.partnerId) query = query.where('partner_id', '=', filter.partnerId);
      if (filter.onlyId) query = query.where('id', '=', filter.onlyId);
      if (page.cursor) query = query.where('id', '>', page.cursor);
      const result = toPage(await query.execute(), page, (row) => row.id);
      return { data: result.data.map(toTenant), nextCursor: result.nextCursor };
    },
    async update(id: string, changes: Partial<Pick<TenantsTable, 'name' | 'settings' | 'partner_id'>>, now: number): Promise<void> {
      await db.updateTable('tenants').set({ ...changes, updated_at: now }).where('id', '=', id).execute();
    },
    async find(id: string): Promise<Tenant | undefined> {
      const row = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toTenant(row);
    },
    async delete(id: string): Promise<void> {
      await db.deleteFrom('tenants').where('id', '=', id).execute();
    },
  };
}
