import type { Kysely } from 'kysely';

/**
 * APIs and agents (issue 20): API resources (RFC 8707 targets) and the clients granted each, the resources of a
 * user grant, dynamically registered and metadata-document clients (RFC 7591/7592), initial access tokens, and
 * per-client token exchange policies (RFC 8693). Every row hangs off a tenant, so tenant exports carry them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('api_resources')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('token_lifetime', 'integer')
    .addColumn('signing_alg', 'text')
    .addColumn('all_clients', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('api_resources_identifier_idx').on('api_resources').columns(['tenant_id', 'identifier']).unique().execute();

  await db.schema
    .createTable('api_resource_clients')
    .addColumn('resource_id', 'text', (c) => c.notNull().references('api_resources.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.client_id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('api_resource_clients_pk', ['resource_id', 'client_id'])
    .execute();
  await db.schema.createIndex('api_resource_clients_client_idx').on('api_resource_clients').column('client_id').execute();

  // The resources (RFC 8707) the user authorized with this grant: a JSON array, null when none was named.
  await db.schema.alterTable('grants').addColumn('resources', 'text').execute();

  await db.schema
    .createTable('client_registrations')
    .addColumn('client_id', 'text', (c) => c.primaryKey().references('clients.client_id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('registration_token_hash', 'text', (c) => c.unique())
    .addColumn('metadata_url', 'text')
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('client_registrations_url_idx').on('client_registrations').columns(['tenant_id', 'metadata_url']).unique().execute();

  await db.schema
    .createTable('initial_access_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('single_use', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('token_exchange_policies')
    .addColumn('client_id', 'text', (c) => c.primaryKey().references('clients.client_id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('policy', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
