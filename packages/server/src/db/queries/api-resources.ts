import type { Database } from '../database.ts';
import type { ApiResourcesTable } from '../schema-resources.ts';
import { toPage } from './page.ts';
import type { Page, PageRequest } from './page.ts';

export type ApiResourceRow = ApiResourcesTable;

/** API resources of a tenant and the clients granted each (issue 20). */
export function apiResourceQueries(db: Database) {
  return {
    async insert(row: ApiResourceRow): Promise<void> {
      await db.insertInto('api_resources').values(row).execute();
    },
    async find(tenantId: string, id: string): Promise<ApiResourceRow | undefined> {
      return db.selectFrom('api_resources').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    },
    async findByIdentifier(tenantId: string, identifier: string): Promise<ApiResourceRow | undefined> {
      return db.selectFrom('api_resources').selectAll().where('tenant_id', '=', tenantId).where('identifier', '=', identifier).executeTakeFirst();
    },
    async list(tenantId: string, page: PageRequest): Promise<Page<ApiResourceRow>> {
      let query = db.selectFrom('api_resources').selectAll().where('tenant_id', '=', tenantId).orderBy('id').limit(page.limit + 1);
      if (page.cursor) query = query.where('id', '>', page.cursor);
      return toPage(await query.execute(), page, (row) => row.id);
    },
    async update(id: string, changes: Partial<Omit<ApiResourceRow, 'id' | 'tenant_id' | 'created_at'>>): Promise<void> {
      await db.updateTable('api_resources').set(changes).where('id', '=', id).execute();
    },
    async delete(id: string): Promise<void> {
      await db.deleteFrom('api_resources').where('id', '=', id).execute();
    },
    async clientIds(resourceId: string): Promise<string[]> {
      const rows = await db.selectFrom('api_resource_clients').select('client_id').where('resource_id', '=', resourceId).orderBy('client_id').execute();
      return rows.map((row) => row.client_id);
    },
    async isClientGranted(resourceId: string, clientId: string): Promise<boolean> {
      const row = await db.selectFrom('api_resource_clients').select('client_id').where('resource_id', '=', resourceId).where('client_id', '=', clientId).executeTakeFirst();
      return row !== undefined;
    },
    async grantClient(resourceId: string, clientId: string, now: number): Promise<void> {
      await db
        .insertInto('api_resource_clients')
        .values({ resource_id: resourceId, client_id: clientId, created_at: now })
        .onConflict((oc) => oc.columns(['resource_id', 'client_id']).doNothing())
        .execute();
    },
    async revokeClient(resourceId: string, clientId: string): Promise<boolean> {
      const result = await db.deleteFrom('api_resource_clients').where('resource_id', '=', resourceId).where('client_id', '=', clientId).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
