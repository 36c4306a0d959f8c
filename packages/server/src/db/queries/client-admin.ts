/** The admin side of clients: paginated lists (client ids are random, so pages follow client_id order). */
import type { Database } from '../database.ts';
import type { ClientsTable } from '../schema.ts';
import { toClient } from './clients.ts';
import type { Client } from './clients.ts';
import { toPage } from './page.ts';
import type { Page, PageRequest } from './page.ts';

export function clientAdminQueries(db: Database) {
  return {
    async update(clientId: string, changes: Partial<Omit<ClientsTable, 'client_id' | 'tenant_id' | 'type' | 'created_at'>>, now: number): Promise<void> {
      await db.updateTable('clients').set({ ...changes, updated_at: now }).where('client_id', '=', clientId).execute();
    },
    /** Deletes the client and its service account (with the account's memberships, roles and API keys). */
    async delete(client: Pick<Client, 'clientId' | 'serviceUserId'>): Promise<void> {
      await db.deleteFrom('clients').where('client_id', '=', client.clientId).execute();
      if (client.serviceUserId) await db.deleteFrom('users').where('id', '=', client.serviceUserId).execute();
    },
    async list(tenantId: string, page: PageRequest): Promise<Page<Client>> {
      let query = db.selectFrom('clients').selectAll().where('tenant_id', '=', tenantId).orderBy('client_id').limit(page.limit + 1);
      if (page.cursor) query = query.where('client_id', '>', page.cursor);
      const result = toPage(await query.execute(), page, (row) => row.client_id);
      return { data: result.data.map(toClient), nextCursor: result.nextCursor };
    },
  };
}
