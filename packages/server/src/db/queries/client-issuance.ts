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
import { aliased, unprefix } from './joined-rows.ts';
import type { Columns } from './joined-rows.ts';
import { toTenant } from './tenants.ts';
import type { Tenant } from './tenants.ts';

/** A published key as the signing-key cache keeps it (`tokens/signing-keys.ts`). */
export type PublishedKey = Pick<SigningKeysTable, 'kid' | 'alg' | 'public_jwk' | 'private_jwe' | 'activates_at' | 'publish_until'>;

// The tenant's columns but its id, which the client row carries as tenant_id; slug first, as token-statements pins.
const TENANT_COLUMNS: Omit<Columns<TenantsTable>, 'id'> = { slug: true, name: true, partner_id: true, settings: true, created_at: true, updated_at: true };
const KEY_COLUMNS: Columns<PublishedKey> = { kid: true, alg: true, public_jwk: true, private_jwe: true, activates_at: true, publish_until: true };

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
        .select([...aliased('tenants', 'tn_', TENANT_COLUMNS), ...aliased('signing_keys', 'key_', KEY_COLUMNS)])
        .where('clients.client_id', '=', clientId)
        .orderBy('signing_keys.activates_at', 'desc')
        .orderBy('signing_keys.kid', 'desc')
        .execute();
      const first = rows[0];
      if (first === undefined) return undefined;
      const keys: PublishedKey[] = [];
      for (const row of rows as Record<string, unknown>[]) if (row.key_kid != null) keys.push(unprefix<PublishedKey>(row, 'key_', KEY_COLUMNS));
      const tenantRow = { ...unprefix<TenantsTable>(first as Record<string, unknown>, 'tn_', TENANT_COLUMNS), id: first.tenant_id };
      return { client: toClient(first as ClientsTable), tenant: toTenant(tenantRow), keys };
    },
  };
}
