import type { Database } from '../database.ts';
import type { ConnectionsTable } from '../schema-federation.ts';
import { toPage } from './page.ts';
import type { Page, PageRequest } from './page.ts';

export type ConnectionRow = ConnectionsTable;

export function connectionQueries(db: Database) {
  return {
    async insert(row: ConnectionRow): Promise<void> {
      await db.insertInto('connections').values(row).execute();
    },
    async find(tenantId: string, idOrSlug: string): Promise<ConnectionRow | undefined> {
      const column = idOrSlug.startsWith('con_') ? 'id' : 'slug';
      return db.selectFrom('connections').selectAll().where(column, '=', idOrSlug).where('tenant_id', '=', tenantId).executeTakeFirst();
    },
    async list(tenantId: string, page: PageRequest): Promise<Page<ConnectionRow>> {
      let query = db.selectFrom('connections').selectAll().where('tenant_id', '=', tenantId).orderBy('id').limit(page.limit + 1);
      if (page.cursor) query = query.where('id', '>', page.cursor);
      return toPage(await query.execute(), page, (row) => row.id);
    },
    async listEnabled(tenantId: string): Promise<ConnectionRow[]> {
      return db.selectFrom('connections').selectAll().where('tenant_id', '=', tenantId).where('enabled', '=', 1).orderBy('name').execute();
    },
    async update(id: string, changes: Partial<Omit<ConnectionRow, 'id' | 'tenant_id' | 'created_at'>>): Promise<void> {
      await db.updateTable('connections').set(changes).where('id', '=', id).execute();
    },
    async delete(id: string): Promise<void> {
      await db.deleteFrom('connections').where('id', '=', id).execute();
    },
    async domains(connectionId: string): Promise<string[]> {
      const rows = await db.selectFrom('connection_domains').select('domain').where('connection_id', '=', connectionId).orderBy('domain').execute();
      return rows.map((row) => row.domain);
    },
    /** Replaces the connection's domains; a domain another connection of the tenant holds fails the unique key. */
    async setDomains(tenantId: string, connectionId: string, domains: readonly string[]): Promise<void> {
      await db.deleteFrom('connection_domains').where('connection_id', '=', connectionId).execute();
      if (domains.length > 0) await db.insertInto('connection_domains').values(domains.map((domain) => ({ tenant_id: tenantId, domain, connection_id: connectionId }))).execute();
    },
    async domainOwner(tenantId: string, domain: string): Promise<string | undefined> {
      const row = await db.selectFrom('connection_domains').select('connection_id').where('tenant_id', '=', tenantId).where('domain', '=', domain).executeTakeFirst();
      return row?.connection_id;
    },
  };
}
