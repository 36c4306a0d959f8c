import type { Kysely } from 'kysely';

/**
 * Federation (issue 18): connections to upstream identity providers per tenant, the email domains they claim
 * (unique per tenant, so home-realm discovery has one answer), the links (connection, upstream subject) -> user,
 * the short-lived state of an upstream round trip, the SAML assertion ids already used (shared replay cache), and
 * which browser sessions began upstream (their tokens carry `amr` `fed`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('connections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('preset', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('secrets_jwe', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('connections_tenant_slug_key', ['tenant_id', 'slug'])
    .execute();

  await db.schema
    .createTable('connection_domains')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('connection_id', 'text', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('connection_domains_pkey', ['tenant_id', 'domain'])
    .execute();

  await db.schema
    .createTable('federated_identities')
    .addColumn('connection_id', 'text', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('email', 'text')
    .addColumn('tokens_jwe', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_sign_in_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('federated_identities_pkey', ['connection_id', 'subject'])
    .execute();
  await db.schema.createIndex('federated_identities_user_idx').on('federated_identities').column('user_id').execute();

  await db.schema
    .createTable('federation_states')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('connection_id', 'text', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('interaction_hash', 'text', (c) => c.notNull())
    .addColumn('data_jwe', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('consumed_at', 'bigint')
    .execute();
  await db.schema.createIndex('federation_states_expires_idx').on('federation_states').column('expires_at').execute();

  await db.schema
    .createTable('saml_assertion_ids')
    .addColumn('connection_id', 'text', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('assertion_id', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('saml_assertion_ids_pkey', ['connection_id', 'assertion_id'])
    .execute();

  await db.schema
    .createTable('federated_sessions')
    .addColumn('session_id', 'text', (c) => c.primaryKey().references('browser_sessions.id').onDelete('cascade'))
    .addColumn('connection_id', 'text', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('upstream_amr', 'text', (c) => c.notNull())
    .addColumn('upstream_acr', 'text')
    .execute();

  await db.schema
    .createTable('federation_pending_links')
    .addColumn('interaction_hash', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('connection_id', 'text', (c) => c.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('email', 'text')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
}
