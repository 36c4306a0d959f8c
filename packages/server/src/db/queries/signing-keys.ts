import type { Database } from '../database.ts';
import type { SigningKeysTable } from '../schema.ts';

export function signingKeyQueries(db: Database) {
  return {
    async insert(row: SigningKeysTable): Promise<void> {
      await db.insertInto('signing_keys').values(row).execute();
    },
    /** Any one stored key (to check that the master secret opens it). */
    async sample(): Promise<Pick<SigningKeysTable, 'kid' | 'private_jwe'> | undefined> {
      return db.selectFrom('signing_keys').select(['kid', 'private_jwe']).orderBy('kid').limit(1).executeTakeFirst();
    },
    /** Keys still published at `now`: the active one, any waiting to activate, and retired ones not yet expired. */
    async listPublished(tenantId: string, now: number): Promise<SigningKeysTable[]> {
      return db
        .selectFrom('signing_keys')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where((eb) => eb.or([eb('publish_until', 'is', null), eb('publish_until', '>', now)]))
        .orderBy('activates_at', 'desc')
        .orderBy('kid', 'desc')
        .execute();
    },
    /**
     * Puts `next` in and sets when every older key of the same algorithm stops being published, in one
     * transaction, so JWKS never shows a half-made rotation.
     */
    async rotate(next: SigningKeysTable, retiredPublishUntil: number): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('signing_keys')
          .set({ publish_until: retiredPublishUntil })
          .where('tenant_id', '=', next.tenant_id)
          .where('alg', '=', next.alg)
          .where('publish_until', 'is', null)
          .execute();
        await trx.insertInto('signing_keys').values(next).execute();
      });
    },
  };
}
