import type { Kysely } from 'kysely';

/**
 * Brands as data (docs/branding.md): one JSON brand per tenant and one per partner (the default its tenants
 * inherit). A brand goes with its owner. And the client metadata the sign-in page shows (RFC 7591 §2:
 * `logo_uri`, `policy_uri`, `tos_uri`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tenant_brands')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
    .addColumn('brand', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'int8', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('partner_brands')
    .addColumn('partner_id', 'text', (c) => c.primaryKey().references('partners.id').onDelete('cascade'))
    .addColumn('brand', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'int8', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('clients').addColumn('logo_uri', 'text').execute();
  await db.schema.alterTable('clients').addColumn('policy_uri', 'text').execute();
  await db.schema.alterTable('clients').addColumn('tos_uri', 'text').execute();
}
