import type { Database } from '../database.ts';
import type { ConsentsTable } from '../schema-sign-in.ts';
import { splitScope } from '../../oauth/request-params.ts';

export type ConsentRow = ConsentsTable;

/** What each user agreed a client may do, remembered so the consent page is shown once per scope set. */
export function consentQueries(db: Database) {
  return {
    async grantedScopes(userId: string, clientId: string): Promise<string[]> {
      const row = await db.selectFrom('consents').select('scope').where('user_id', '=', userId).where('client_id', '=', clientId).executeTakeFirst();
      return splitScope(row?.scope);
    },
    /** Adds `scopes` to what the user already agreed to for the client. */
    async remember(row: { tenantId: string; userId: string; clientId: string; scopes: readonly string[] }, now: number): Promise<void> {
      const existing = await this.grantedScopes(row.userId, row.clientId);
      const scope = [...new Set([...existing, ...row.scopes])].sort().join(' ');
      await db
        .insertInto('consents')
        .values({ tenant_id: row.tenantId, user_id: row.userId, client_id: row.clientId, scope, created_at: now, updated_at: now })
        .onConflict((oc) => oc.columns(['user_id', 'client_id']).doUpdateSet({ scope, updated_at: now }))
        .execute();
    },
  };
}
