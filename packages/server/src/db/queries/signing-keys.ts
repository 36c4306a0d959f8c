import type { Database } from '../database.ts';
import type { SigningKeysTable } from '../schema.ts';
import type { PublishedKey } from './client-issuance.ts';

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
    /** The same keys with only the columns the signing-key cache keeps. */
    async listPublishedKeys(tenantId: string, now: number): Promise<PublishedKey[]> {
      return db
        .selectFrom('signing_keys')
        .select(['kid', 'alg', 'public_jwk', 'private_jwe', 'activates_at', 'publish_until'])
        .where('tenant_id', '=', tenantId)
        .where((eb) => eb.or([eb('publish_until', 'is', null), eb('publish_until', '>', now)]))
        .orderBy('activates_at', 'desc')
        .orderBy('kid', 'desc')
        .execute();
    },
    /**
     * The tenant's settings, its row locked until the transaction ends when `lockRow` (PostgreSQL): every key
     * change of one tenant waits for the one before it, on every instance. SQLite's write transactions
     * (BEGIN IMMEDIATE) already run one at a time.
     */
    async lockTenant(tenantId: string, lockRow: boolean): Promise<{ settings: string } | undefined> {
      const query = db.selectFrom('tenants').select('settings').where('id', '=', tenantId);
      return (lockRow ? query.forUpdate() : query).executeTakeFirst();
    },
    /**
     * Puts `next` in and schedules every other key still published to leave JWKS at `retiredPublishUntil` (a
     * retired key keeps signing until `next` activates, so its tokens must verify until then plus their
     * lifetime), in one transaction, so JWKS never shows a half-made rotation. Keys already gone stay gone.
     */
    async stage(next: SigningKeysTable, retiredPublishUntil: number, now: number): Promise<void> {
      await db
        .updateTable('signing_keys')
        .set({ publish_until: retiredPublishUntil })
        .where('tenant_id', '=', next.tenant_id)
        .where((eb) => eb.or([eb('publish_until', 'is', null), eb.and([eb('publish_until', '>', now), eb('publish_until', '<', retiredPublishUntil)])]))
        .execute();
      await db.insertInto('signing_keys').values(next).execute();
    },
  };
}
