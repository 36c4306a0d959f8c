/**
 * What a token request reads about a client the first time (or once its cache entry is gone): the client, its
 * tenant and the tenant's published signing keys, in ONE statement. They were three (issue 21): with 100,000
 * tenants and uniform load most token requests find none of them cached, and each statement costs Kysely and
 * the driver more CPU than the database spends on it. The key columns repeat per key (one row per published
 * key: one, or two or three during a rotation); a tenant without a key gives one row with the key columns null.
 */
import type { Database } from '../database.ts';
import type { ClientsTable, SigningKeysTable, TenantsTable } from '../schema.ts';
import { toClient } from './clients.ts';
import type { Client } from './clients.ts';
import { toTenant } from './tenants.ts';
import type { Tenant } from './tenants.ts';

/** A published key as the signing-key cache keeps it (`tokens/signing-keys.ts`). */
export type PublishedKey = Pick<SigningKeysTable, 'kid' | 'alg' | 'public_jwk' | 'private_jwe' | 'activates_at' | 'publish_until'>;

export interface ClientWithTenant {
  readonly client: Client;
  readonly tenant: Tenant;
  /** Newest activation first, as `signingKeyQueries.listPublished` orders them. */
  readonly keys: readonly PublishedKey[];
}

export function clientIssuanceQueries(db: Database) {
  return {
    async read(clientId: string, now: number): Promise<ClientWithTenant | undefined> {
      const rows = await db
        .selectFrom('clients')
        .innerJoin('tenants', 'tenants.id', 'clients.tenant_id')
        .leftJoin('signing_keys', (join) =>
          join.onRef('signing_keys.tenant_id', '=', 'clients.tenant_id').on((eb) => eb.or([eb('signing_keys.publish_until', 'is', null), eb('signing_keys.publish_until', '>', now)])),
        )
        .selectAll('clients')
        .select([
          'tenants.slug as tenant_slug',
          'tenants.name as tenant_name',
          'tenants.partner_id as tenant_partner_id',
          'tenants.settings as tenant_settings',
          'tenants.created_at as tenant_created_at',
          'tenants.updated_at as tenant_updated_at',
          'signing_keys.kid as key_kid',
          'signing_keys.alg as key_alg',
          'signing_keys.public_jwk as key_public_jwk',
          'signing_keys.private_jwe as key_private_jwe',
          'signing_keys.activates_at as key_activates_at',
          'signing_keys.publish_until as key_publish_until',
        ])
        .where('clients.client_id', '=', clientId)
        .orderBy('signing_keys.activates_at', 'desc')
        .orderBy('signing_keys.kid', 'desc')
        .execute();
      const first = rows[0];
      if (first === undefined) return undefined;
      const tenantRow: TenantsTable = {
        id: first.tenant_id,
        slug: first.tenant_slug,
        name: first.tenant_name,
        partner_id: first.tenant_partner_id,
        settings: first.tenant_settings,
        created_at: first.tenant_created_at,
        updated_at: first.tenant_updated_at,
      };
      const keys: PublishedKey[] = [];
      for (const row of rows) {
        if (row.key_kid === null) continue;
        keys.push({ kid: row.key_kid, alg: row.key_alg!, public_jwk: row.key_public_jwk!, private_jwe: row.key_private_jwe!, activates_at: row.key_activates_at!, publish_until: row.key_publish_until });
      }
      return { client: toClient(first as ClientsTable), tenant: toTenant(tenantRow), keys };
    },
  };
}
