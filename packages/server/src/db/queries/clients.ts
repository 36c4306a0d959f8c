import type { Database } from '../database.ts';
import type { ClientsTable, ClientType } from '../schema.ts';
import { parseJsonArray } from '../../util/json.ts';

export interface Client {
  readonly clientId: string;
  readonly tenantId: string;
  readonly name: string;
  readonly type: ClientType;
  readonly secretHash: string | null;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  readonly grantTypes: readonly string[];
  readonly scopes: readonly string[];
  readonly audience: string | null;
  readonly tokenClaims: readonly string[];
  readonly serviceUserId: string | null;
  readonly logoUri: string | null;
  readonly policyUri: string | null;
  readonly tosUri: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** A client ID metadata document client: the URL it presents as client_id (the row's id is internal). */
  readonly metadataUrl?: string;
}

export function toClient(row: ClientsTable): Client {
  return {
    clientId: row.client_id,
    tenantId: row.tenant_id,
    name: row.name,
    type: row.type,
    secretHash: row.secret_hash,
    redirectUris: parseJsonArray(row.redirect_uris),
    postLogoutRedirectUris: parseJsonArray(row.post_logout_redirect_uris),
    grantTypes: parseJsonArray(row.grant_types),
    scopes: parseJsonArray(row.scopes),
    audience: row.audience,
    tokenClaims: parseJsonArray(row.token_claims),
    serviceUserId: row.service_user_id,
    logoUri: row.logo_uri ?? null,
    policyUri: row.policy_uri ?? null,
    tosUri: row.tos_uri ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function clientQueries(db: Database) {
  return {
    async insert(row: ClientsTable): Promise<void> {
      await db.insertInto('clients').values(row).execute();
    },
    async findById(clientId: string): Promise<Client | undefined> {
      const row = await db.selectFrom('clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
      return row && toClient(row);
    },
    /** The client whose service account this user is. */
    async findByServiceUser(userId: string): Promise<Client | undefined> {
      const row = await db.selectFrom('clients').selectAll().where('service_user_id', '=', userId).executeTakeFirst();
      return row && toClient(row);
    },
    async listByTenant(tenantId: string): Promise<Client[]> {
      const rows = await db.selectFrom('clients').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('client_id').execute();
      return rows.map(toClient);
    },
    /** Replaces the redirect and post-logout redirect URIs (the built-in console client follows the base URL). */
    async setRedirectUris(clientId: string, redirectUris: readonly string[], postLogoutRedirectUris: readonly string[], now: number): Promise<void> {
      await db.updateTable('clients').set({ redirect_uris: JSON.stringify(redirectUris), post_logout_redirect_uris: JSON.stringify(postLogoutRedirectUris), updated_at: now }).where('client_id', '=', clientId).execute();
    },
    /** Replaces the secret hash; the old secret stops working at once. */
    async setSecretHash(clientId: string, secretHash: string, now: number): Promise<boolean> {
      const result = await db
        .updateTable('clients')
        .set({ secret_hash: secretHash, secret_created_at: now, updated_at: now })
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}
