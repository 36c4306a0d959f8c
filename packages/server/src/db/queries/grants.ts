import type { Database } from '../database.ts';
import type { GrantsTable } from '../schema-sign-in.ts';

export type GrantRow = GrantsTable;

/**
 * Grants: one per authorization (a code, a password sign-in). Every refresh token and access token issued from
 * it belongs to it, so revoking the grant revokes the whole family.
 */
export function grantQueries(db: Database) {
  return {
    async insert(row: GrantRow): Promise<void> {
      await db.insertInto('grants').values(row).execute();
    },
    async findById(id: string): Promise<GrantRow | undefined> {
      return db.selectFrom('grants').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /**
     * The grant's revocation time, read inside a transaction. `lockRow` (PostgreSQL) holds the row until the
     * transaction ends, so a concurrent `revoke` (which updates this row first) either waits for the caller's
     * writes or is seen by it; SQLite needs no lock, its write transactions are serialized (BEGIN IMMEDIATE).
     */
    async revokedAt(id: string, lockRow: boolean): Promise<number | null | undefined> {
      const query = db.selectFrom('grants').select('revoked_at').where('id', '=', id);
      const row = await (lockRow ? query.forUpdate() : query).executeTakeFirst();
      return row?.revoked_at;
    },
    async recordAccessToken(grantId: string, jti: string, expiresAt: number): Promise<void> {
      await db.insertInto('grant_access_tokens').values({ jti, grant_id: grantId, expires_at: expiresAt }).execute();
    },
    /**
     * Revokes every live grant of a client (a change to what its users approved) with its refresh tokens and
     * unexpired access tokens, inside the caller's transaction. Returns how many grants were live.
     */
    revokeAllOfClient(clientId: string, now: number): Promise<number> {
      return revokeLiveGrants(db, 'client_id', clientId, now);
    },
    /**
     * Revokes every live grant of the user (signing a user out everywhere), the same way, committing with the
     * caller's change. Returns how many grants it ended.
     */
    revokeAllOfUser(userId: string, now: number): Promise<number> {
      return revokeLiveGrants(db, 'user_id', userId, now);
    },
    /**
     * Revokes the grant, its refresh tokens and its unexpired access tokens (their jtis join
     * `revoked_access_tokens`), in one transaction. Returns false when it was already revoked.
     */
    async revoke(id: string, now: number): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const result = await trx.updateTable('grants').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
        await trx.updateTable('refresh_tokens').set({ revoked_at: now }).where('grant_id', '=', id).where('revoked_at', 'is', null).execute();
        await trx
          .insertInto('revoked_access_tokens')
          .columns(['jti', 'expires_at'])
          .expression(trx.selectFrom('grant_access_tokens').select(['jti', 'expires_at']).where('grant_id', '=', id).where('expires_at', '>', now))
          .onConflict((oc) => oc.column('jti').doNothing())
          .execute();
        return result.numUpdatedRows > 0n;
      });
    },
  };
}

/** Every live grant whose `column` is `value`: access tokens first, then refresh tokens, then the grants (the set). */
async function revokeLiveGrants(db: Database, column: 'client_id' | 'user_id', value: string, now: number): Promise<number> {
  const live = db.selectFrom('grants').select('id').where(column, '=', value).where('revoked_at', 'is', null);
  await db
    .insertInto('revoked_access_tokens')
    .columns(['jti', 'expires_at'])
    .expression(db.selectFrom('grant_access_tokens').select(['jti', 'expires_at']).where('grant_id', 'in', live).where('expires_at', '>', now))
    .onConflict((oc) => oc.column('jti').doNothing())
    .execute();
  await db.updateTable('refresh_tokens').set({ revoked_at: now }).where('grant_id', 'in', live).where('revoked_at', 'is', null).execute();
  const result = await db.updateTable('grants').set({ revoked_at: now }).where(column, '=', value).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}
