import type { Database } from '../database.ts';
import type { InteractionsTable } from '../schema-sign-in.ts';

export type InteractionRow = InteractionsTable;

/** Pending sign-ins, stored so that any instance can continue one another instance started. */
export function interactionQueries(db: Database) {
  return {
    async insert(row: InteractionRow): Promise<void> {
      await db.insertInto('interactions').values(row).execute();
    },
    async findOpen(tenantId: string, idHash: string, now: number): Promise<InteractionRow | undefined> {
      return db
        .selectFrom('interactions')
        .selectAll()
        .where('id_hash', '=', idHash)
        .where('tenant_id', '=', tenantId)
        .where('completed_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
    },
    async recordSignIn(idHash: string, signIn: { userId: string; sessionId: string; authTime: number }): Promise<void> {
      await db
        .updateTable('interactions')
        .set({ user_id: signIn.userId, session_id: signIn.sessionId, auth_time: signIn.authTime })
        .where('id_hash', '=', idHash)
        .where('completed_at', 'is', null)
        .execute();
    },
    /** Ends the interaction; false when another request ended it first (a double submit). */
    async complete(idHash: string, now: number): Promise<boolean> {
      const result = await db.updateTable('interactions').set({ completed_at: now }).where('id_hash', '=', idHash).where('completed_at', 'is', null).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}
