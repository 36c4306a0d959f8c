import type { Database } from '../database.ts';
import type { RefreshTokensTable } from '../schema-sign-in.ts';

export type RefreshTokenRow = RefreshTokensTable;

export function refreshTokenQueries(db: Database) {
  return {
    async insert(row: RefreshTokenRow): Promise<void> {
      await db.insertInto('refresh_tokens').values(row).execute();
    },
    async findByHash(tokenHash: string): Promise<RefreshTokenRow | undefined> {
      return db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    },
    /**
     * Rotates the token out: one conditional update, so of any number of concurrent requests with the same token
     * exactly one sees `true`.
     */
    async markRotated(tokenHash: string, now: number): Promise<boolean> {
      const result = await db
        .updateTable('refresh_tokens')
        .set({ rotated_at: now })
        .where('token_hash', '=', tokenHash)
        .where('rotated_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    /**
     * Holds the token for the caller's transaction if it is still unused (a no-op update takes its row lock),
     * so a concurrent rotation of it either waits for the caller's commit or makes this return false.
     */
    async holdUnused(tokenHash: string): Promise<boolean> {
      const result = await db
        .updateTable('refresh_tokens')
        .set({ revoked_at: null })
        .where('token_hash', '=', tokenHash)
        .where('rotated_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}
