import type { Database } from '../database.ts';
import type { ConsentsTable } from '../schema-sign-in.ts';

export type ConsentRow = ConsentsTable;

/**
 * What each user agreed a client may do, one row per scope, so the consent page is shown once per scope set
 * and agreeing to more is an insert that ignores what is already there (no read-then-write).
 */
/** The row that records the approval itself, so a request for no scope at all is remembered too. */
const APPROVED = '';

export function consentQueries(db: Database) {
  return {
    /** Undefined when the user never approved the client at all. */
    async grantedScopes(userId: string, clientId: string): Promise<string[] | undefined> {
      const rows = await db.selectFrom('consents').select('scope').where('user_id', '=', userId).where('client_id', '=', clientId).execute();
      return rows.length === 0 ? undefined : rows.map((row) => row.scope).filter((scope) => scope !== APPROVED);
    },
    /** Forgets every user's approval of the client; returns how many users had approved it. */
    async forgetClient(clientId: string): Promise<number> {
      const result = await db.deleteFrom('consents').where('client_id', '=', clientId).where('scope', '=', APPROVED).executeTakeFirst();
      await db.deleteFrom('consents').where('client_id', '=', clientId).execute();
      return Number(result.numDeletedRows);
    },
    async remember(consent: { tenantId: string; userId: string; clientId: string; scopes: readonly string[] }, now: number): Promise<void> {
      await db
        .insertInto('consents')
        .values([APPROVED, ...consent.scopes].map((scope) => ({ tenant_id: consent.tenantId, user_id: consent.userId, client_id: consent.clientId, scope, created_at: now })))
        .onConflict((oc) => oc.columns(['user_id', 'client_id', 'scope']).doNothing())
        .execute();
    },
  };
}
