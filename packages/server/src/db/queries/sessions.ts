import type { Database } from '../database.ts';
import type { BrowserSessionsTable } from '../schema-sign-in.ts';
import { toPage } from './page.ts';
import type { Page, PageRequest } from './page.ts';

export type BrowserSession = BrowserSessionsTable;

export function sessionQueries(db: Database) {
  return {
    async insert(row: BrowserSession): Promise<void> {
      await db.insertInto('browser_sessions').values(row).execute();
    },
    /** The live session whose cookie hashes to `tokenHash`, if it has neither ended nor expired. */
    async findLive(tenantId: string, tokenHash: string, now: number): Promise<BrowserSession | undefined> {
      return db
        .selectFrom('browser_sessions')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .where('tenant_id', '=', tenantId)
        .where('ended_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
    },
    /** A user's sessions, newest first, before the cursor (the admin console's session list). */
    async listOfUser(userId: string, page: PageRequest): Promise<Page<BrowserSession>> {
      let query = db.selectFrom('browser_sessions').selectAll().where('user_id', '=', userId).orderBy('id', 'desc').limit(page.limit + 1);
      if (page.cursor) query = query.where('id', '<', page.cursor);
      return toPage(await query.execute(), page, (row) => row.id);
    },
    async findById(id: string): Promise<BrowserSession | undefined> {
      return db.selectFrom('browser_sessions').selectAll().where('id', '=', id).executeTakeFirst();
    },
    /** A new sign-in of the same user: new cookie hash and auth_time; false when the session ended meanwhile. */
    async reauthenticate(id: string, tokenHash: string, authTime: number, expiresAt: number, amr: string | null = null): Promise<boolean> {
      const result = await db
        .updateTable('browser_sessions')
        .set({ token_hash: tokenHash, auth_time: authTime, expires_at: expiresAt, amr, factor_time: null })
        .where('id', '=', id)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    /** Step-up: the session's factors grow; `auth_time` is left alone. */
    async recordFactors(id: string, amr: string, factorTime: number): Promise<void> {
      await db.updateTable('browser_sessions').set({ amr, factor_time: factorTime }).where('id', '=', id).where('ended_at', 'is', null).execute();
    },
    async end(id: string, now: number): Promise<boolean> {
      const result = await db.updateTable('browser_sessions').set({ ended_at: now }).where('id', '=', id).where('ended_at', 'is', null).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    /** Moves a live session's idle deadline (never backwards, so concurrent uses agree). */
    async extend(id: string, expiresAt: number): Promise<void> {
      await db.updateTable('browser_sessions').set({ expires_at: expiresAt }).where('id', '=', id).where('ended_at', 'is', null).where('expires_at', '<', expiresAt).execute();
    },
    /** Ends every session of the user that has not ended yet; returns how many were still live. */
    async endAllOfUser(userId: string, now: number): Promise<number> {
      const result = await db.updateTable('browser_sessions').set({ ended_at: now }).where('user_id', '=', userId).where('ended_at', 'is', null).where('expires_at', '>', now).executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}

export function isSessionLive(session: BrowserSession | undefined, now: number): boolean {
  return session !== undefined && session.ended_at === null && session.expires_at > now;
}
