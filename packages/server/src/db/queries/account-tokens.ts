import type { Database } from '../database.ts';
import type { AccountTokenPurpose, AccountTokensTable } from '../schema-accounts.ts';

export type AccountTokenRow = AccountTokensTable;

/** Tokens behind mailed links, found by the SHA-256 of the value in the link; consumed once. */
export function accountTokenQueries(db: Database) {
  return {
    async insert(row: AccountTokenRow): Promise<void> {
      await db.insertInto('account_tokens').values(row).execute();
    },
    async findByHash(tokenHash: string): Promise<AccountTokenRow | undefined> {
      return db.selectFrom('account_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    },
    /** Atomic: of two concurrent uses of one link, one wins. What it carried (a sign-up's password hash) goes. */
    async consume(tokenHash: string, now: number): Promise<boolean> {
      const result = await db
        .updateTable('account_tokens')
        .set({ consumed_at: now, data: '{}' })
        .where('token_hash', '=', tokenHash)
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    /**
     * Housekeeping: what an expired link carried (an unconfirmed sign-up's password hash) goes at once; the row
     * stays until `dropBefore`, so the link is still recognised as expired rather than unknown.
     */
    async pruneExpired(now: number, dropBefore: number): Promise<void> {
      await db.updateTable('account_tokens').set({ data: '{}' }).where('expires_at', '<', now).where('data', '!=', '{}').execute();
      await db.deleteFrom('account_tokens').where('expires_at', '<', dropBefore).execute();
    },
    /** A new link of a purpose makes the user's earlier unused ones of that purpose void. */
    async voidUnused(userId: string, purpose: AccountTokenPurpose, now: number): Promise<void> {
      await db.updateTable('account_tokens').set({ consumed_at: now }).where('user_id', '=', userId).where('purpose', '=', purpose).where('consumed_at', 'is', null).execute();
    },
  };
}
