import type { Database } from '../database.ts';
import type { FederationStatesTable } from '../schema-federation.ts';

export function federationStateQueries(db: Database) {
  return {
    async insert(row: FederationStatesTable): Promise<void> {
      await db.insertInto('federation_states').values(row).execute();
    },
    /**
     * Marks the state used and returns it, once: the conditional update lets exactly one of two concurrent
     * callbacks (or instances) through, so a response cannot be replayed.
     */
    async consume(stateHash: string, now: number): Promise<FederationStatesTable | undefined> {
      const result = await db.updateTable('federation_states').set({ consumed_at: now }).where('state_hash', '=', stateHash).where('consumed_at', 'is', null).where('expires_at', '>', now).executeTakeFirst();
      if (result.numUpdatedRows === 0n) return undefined;
      return db.selectFrom('federation_states').selectAll().where('state_hash', '=', stateHash).executeTakeFirst();
    },
    /** A state not yet expired, consumed or not (SAML reads it before consuming it; see round-trip.ts). */
    async findUnexpired(stateHash: string, now: number): Promise<FederationStatesTable | undefined> {
      return db.selectFrom('federation_states').selectAll().where('state_hash', '=', stateHash).where('expires_at', '>', now).executeTakeFirst();
    },
    async deleteExpired(now: number): Promise<void> {
      await db.deleteFrom('federation_states').where('expires_at', '<=', now).execute();
      await db.deleteFrom('saml_assertion_ids').where('expires_at', '<=', now).execute();
      await db.deleteFrom('federation_pending_links').where('expires_at', '<=', now).execute();
    },
    /** Records a SAML assertion id; false when it was seen before (a replay, on any instance). */
    async rememberAssertion(connectionId: string, assertionId: string, expiresAt: number): Promise<boolean> {
      const result = await db.insertInto('saml_assertion_ids').values({ connection_id: connectionId, assertion_id: assertionId, expires_at: expiresAt }).onConflict((oc) => oc.columns(['connection_id', 'assertion_id']).doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
  };
}
