import type { Database } from '../database.ts';
import type { BootstrapTokensTable } from '../schema.ts';

export function bootstrapTokenQueries(db: Database) {
  return {
    async insert(row: BootstrapTokensTable): Promise<void> {
      await db.insertInto('bootstrap_tokens').values(row).execute();
    },
    async findLive(tokenHash: string, now: number): Promise<BootstrapTokensTable | undefined> {
      return db.selectFrom('bootstrap_tokens').selectAll().where('token_hash', '=', tokenHash).where('used_at', 'is', null).where('expires_at', '>', now).executeTakeFirst();
    },
    /** Spends a live token: true for exactly one caller, however many race. */
    async spend(tokenHash: string, now: number): Promise<BootstrapTokensTable | undefined> {
      const row = await this.findLive(tokenHash, now);
      if (!row) return undefined;
      const result = await db.updateTable('bootstrap_tokens').set({ used_at: now }).where('token_hash', '=', tokenHash).where('used_at', 'is', null).executeTakeFirst();
      return result.numUpdatedRows > 0n ? row : undefined;
    },
    /** Links left over once a super admin exists are of no use: they stop working. */
    async retireAll(now: number): Promise<void> {
      await db.updateTable('bootstrap_tokens').set({ used_at: now }).where('used_at', 'is', null).execute();
    },
    async superAdminExists(): Promise<boolean> {
      return (await db.selectFrom('users').select('id').where('admin_role', '=', 'super_admin').where('kind', '=', 'person').limit(1).executeTakeFirst()) !== undefined;
    },
  };
}
