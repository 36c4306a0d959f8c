import type { Database } from '../database.ts';
import type { AuthorizationCodesTable } from '../schema-sign-in.ts';

export type AuthorizationCodeRow = AuthorizationCodesTable;

export function authorizationCodeQueries(db: Database) {
  return {
    async insert(row: AuthorizationCodeRow): Promise<void> {
      await db.insertInto('authorization_codes').values(row).execute();
    },
    async findByHash(codeHash: string): Promise<AuthorizationCodeRow | undefined> {
      return db.selectFrom('authorization_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
    },
    /** Marks the code used; false when it was used before (or by a concurrent request that won). */
    async consume(codeHash: string, now: number): Promise<boolean> {
      const result = await db.updateTable('authorization_codes').set({ consumed_at: now }).where('code_hash', '=', codeHash).where('consumed_at', 'is', null).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}
