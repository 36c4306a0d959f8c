import type { Database } from '../database.ts';
import type { FederatedIdentitiesTable, FederationPendingLinksTable } from '../schema-federation.ts';

export type FederatedIdentity = FederatedIdentitiesTable;

export function federatedIdentityQueries(db: Database) {
  return {
    async find(connectionId: string, subject: string): Promise<FederatedIdentity | undefined> {
      return db.selectFrom('federated_identities').selectAll().where('connection_id', '=', connectionId).where('subject', '=', subject).executeTakeFirst();
    },
    /** Inserts the link; false when (connection, subject) is already linked (a concurrent first sign-in). */
    async insert(row: FederatedIdentity): Promise<boolean> {
      const result = await db.insertInto('federated_identities').values(row).onConflict((oc) => oc.columns(['connection_id', 'subject']).doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async touch(connectionId: string, subject: string, changes: Pick<FederatedIdentity, 'last_sign_in_at' | 'email'> & { tokens_jwe?: string | null }): Promise<void> {
      await db.updateTable('federated_identities').set(changes).where('connection_id', '=', connectionId).where('subject', '=', subject).execute();
    },
    async listForUser(userId: string): Promise<FederatedIdentity[]> {
      return db.selectFrom('federated_identities').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
    },
    async delete(userId: string, connectionId: string, subject: string): Promise<boolean> {
      const result = await db.deleteFrom('federated_identities').where('user_id', '=', userId).where('connection_id', '=', connectionId).where('subject', '=', subject).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    async putPendingLink(row: FederationPendingLinksTable): Promise<void> {
      await db.deleteFrom('federation_pending_links').where('interaction_hash', '=', row.interaction_hash).execute();
      await db.insertInto('federation_pending_links').values(row).execute();
    },
    async takePendingLink(interactionHash: string, now: number): Promise<FederationPendingLinksTable | undefined> {
      const row = await db.selectFrom('federation_pending_links').selectAll().where('interaction_hash', '=', interactionHash).where('expires_at', '>', now).executeTakeFirst();
      await db.deleteFrom('federation_pending_links').where('interaction_hash', '=', interactionHash).execute();
      return row;
    },
    async findPendingLink(interactionHash: string, now: number): Promise<FederationPendingLinksTable | undefined> {
      return db.selectFrom('federation_pending_links').selectAll().where('interaction_hash', '=', interactionHash).where('expires_at', '>', now).executeTakeFirst();
    },
  };
}
