import type { Database } from '../database.ts';
import type { TenantsTable } from '../schema.ts';
import { sharedSettings } from '../../directory/shared-settings.ts';
import type { TenantSettings } from '../../directory/tenant-settings.ts';

export interface Tenant {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly partnerId: string | null;
  readonly settings: TenantSettings;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export function toTenant(row: TenantsTable): Tenant {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    partnerId: row.partner_id,
    settings: sharedSettings(row.settings),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function tenantQueries(db: Database) {
  return {
    async insert(row: TenantsTable): Promise<void> {
      await db.insertInto('tenants').values(row).execute();
    },
    async findBySlug(slug: string): Promise<Tenant | undefined> {
      const row = await db.selectFrom('tenants').selectAll().where('slug', '=', slug).executeTakeFirst();
      return row && toTenant(row);
    },
    async findById(id: string): Promise<Tenant | undefined> {
      const row = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toTenant(row);
    },
    async list(): Promise<Tenant[]> {
      const rows = await db.selectFrom('tenants').selectAll().orderBy('id').execute();
      return rows.map(toTenant);
    },
  };
}
