import type { Database } from '../database.ts';
import type { InvitationsTable } from '../schema-accounts.ts';
import { toPage } from './page.ts';
import type { Page, PageRequest } from './page.ts';

export type InvitationRow = InvitationsTable;

export function invitationQueries(db: Database) {
  return {
    async insert(row: InvitationRow): Promise<void> {
      await db.insertInto('invitations').values(row).execute();
    },
    async findById(tenantId: string, id: string): Promise<InvitationRow | undefined> {
      return db.selectFrom('invitations').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    },
    async findByTokenHash(tokenHash: string): Promise<InvitationRow | undefined> {
      return db.selectFrom('invitations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    },
    /** The open (neither accepted nor revoked) invitation of an address, expired or not. */
    async findOpenByEmail(tenantId: string, emailNormalized: string): Promise<InvitationRow | undefined> {
      return db
        .selectFrom('invitations')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('email_normalized', '=', emailNormalized)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
    },
    async list(tenantId: string, page: PageRequest): Promise<Page<InvitationRow>> {
      let query = db.selectFrom('invitations').selectAll().where('tenant_id', '=', tenantId).orderBy('id').limit(page.limit + 1);
      if (page.cursor) query = query.where('id', '>', page.cursor);
      return toPage(await query.execute(), page, (row) => row.id);
    },
    /** A new link: the old one stops working at once. */
    async renew(id: string, tokenHash: string, now: number, expiresAt: number): Promise<boolean> {
      const result = await db
        .updateTable('invitations')
        .set({ token_hash: tokenHash, sent_at: now, expires_at: expiresAt })
        .where('id', '=', id)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async revoke(id: string, now: number): Promise<boolean> {
      const result = await db.updateTable('invitations').set({ revoked_at: now }).where('id', '=', id).where('accepted_at', 'is', null).where('revoked_at', 'is', null).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    /** Atomic: of two uses of one link, one wins. */
    async accept(id: string, now: number): Promise<boolean> {
      const result = await db
        .updateTable('invitations')
        .set({ accepted_at: now })
        .where('id', '=', id)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async recordAcceptedUser(id: string, userId: string): Promise<void> {
      await db.updateTable('invitations').set({ accepted_user_id: userId }).where('id', '=', id).execute();
    },
  };
}
