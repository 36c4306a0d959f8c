/** The admin side of clients: paginated lists (client ids are random, so pages follow client_id order). */
import type { Database } from '../database.ts';
import { toClient } from './clients.ts';
import type { Client } from './clients.ts';
import { toPage } from './page.ts';
import type { Page, PageRequest } from './page.ts';

export function clientAdminQueries(db: Database) {
  return {
    async list(tenantId: string, page: PageRequest): Promise<Page<Client>> {
      let query = db.selectFrom('clients').selectAll().where('tenant_id', '=', tenantId).orderBy('client_id').limit(page.limit + 1);
      if (page.cursor) query = query.where('client_id', '>', page.cursor);
      const result = toPage(await query.execute(), page, (row) => row.client_id);
      return { data: result.data.map(toClient), nextCursor: result.nextCursor };
    },
  };
}
