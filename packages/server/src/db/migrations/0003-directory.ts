import type { Kysely } from 'kysely';

/**
 * Indexes for the admin API's lists: every list is "rows of one tenant after the cursor, ordered by id", which
 * these serve without sorting the tenant's rows (100k users), and the audit log's filters by target.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('users_tenant_id_idx').on('users').columns(['tenant_id', 'id']).execute();
  await db.schema.createIndex('groups_tenant_id_idx').on('groups').columns(['tenant_id', 'id']).execute();
  await db.schema.createIndex('roles_tenant_id_idx').on('roles').columns(['tenant_id', 'id']).execute();
  await db.schema.createIndex('api_keys_tenant_id_idx').on('api_keys').columns(['tenant_id', 'id']).execute();
  await db.schema.createIndex('audit_events_tenant_id_idx').on('audit_events').columns(['tenant_id', 'id']).execute();
  await db.schema.createIndex('audit_events_target_idx').on('audit_events').columns(['target_id', 'id']).execute();
}
