import type { Database } from '../database.ts';
import type { BrowserSession } from './sessions.ts';

export interface ConnectedApplication {
  readonly clientId: string;
  readonly name: string;
  readonly scopes: string[];
  readonly since: number;
}

/**
 * What the account page reads and ends of its own user: live browser sessions, connected applications (the
 * clients the user approved), and the grants (refresh and access tokens) behind either.
 */
export function accountPageQueries(db: Database) {
  /** Revokes the user's live grants matching `where`, with their refresh tokens and unexpired access tokens. */
  async function revokeGrants(userId: string, now: number, narrow: { clientId?: string; sessionIds?: readonly string[] }): Promise<number> {
    if (narrow.sessionIds !== undefined && narrow.sessionIds.length === 0) return 0;
    let live = db.selectFrom('grants').select('id').where('user_id', '=', userId).where('revoked_at', 'is', null);
    if (narrow.clientId !== undefined) live = live.where('client_id', '=', narrow.clientId);
    if (narrow.sessionIds !== undefined) live = live.where('session_id', 'in', narrow.sessionIds);
    const ids = (await live.execute()).map((row) => row.id);
    if (ids.length === 0) return 0;
    await db.updateTable('refresh_tokens').set({ revoked_at: now }).where('grant_id', 'in', ids).where('revoked_at', 'is', null).execute();
    await db
      .insertInto('revoked_access_tokens')
      .columns(['jti', 'expires_at'])
      .expression(db.selectFrom('grant_access_tokens').select(['jti', 'expires_at']).where('grant_id', 'in', ids).where('expires_at', '>', now))
      .onConflict((oc) => oc.column('jti').doNothing())
      .execute();
    const result = await db.updateTable('grants').set({ revoked_at: now }).where('id', 'in', ids).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  return {
    async liveSessions(tenantId: string, userId: string, now: number): Promise<BrowserSession[]> {
      return db
        .selectFrom('browser_sessions')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .where('ended_at', 'is', null)
        .where('expires_at', '>', now)
        .orderBy('auth_time', 'desc')
        .limit(100)
        .execute();
    },
    /** Ends the user's sessions (all but `keep`, or only `only`) and the grants that came from them. */
    async endSessions(tenantId: string, userId: string, now: number, which: { keep?: string; only?: string }): Promise<{ sessions: number; grants: number }> {
      let query = db.selectFrom('browser_sessions').select('id').where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('ended_at', 'is', null);
      if (which.keep !== undefined) query = query.where('id', '!=', which.keep);
      if (which.only !== undefined) query = query.where('id', '=', which.only);
      const ids = (await query.execute()).map((row) => row.id);
      if (ids.length === 0) return { sessions: 0, grants: 0 };
      await db.updateTable('browser_sessions').set({ ended_at: now }).where('id', 'in', ids).where('ended_at', 'is', null).execute();
      return { sessions: ids.length, grants: await revokeGrants(userId, now, { sessionIds: ids }) };
    },
    async connectedApplications(tenantId: string, userId: string): Promise<ConnectedApplication[]> {
      const rows = await db
        .selectFrom('consents')
        .innerJoin('clients', 'clients.client_id', 'consents.client_id')
        .select(['consents.client_id', 'clients.name', 'consents.scope', 'consents.created_at'])
        .where('consents.tenant_id', '=', tenantId)
        .where('consents.user_id', '=', userId)
        .orderBy('clients.name')
        .execute();
      const byClient = new Map<string, ConnectedApplication>();
      for (const row of rows) {
        const app = byClient.get(row.client_id) ?? { clientId: row.client_id, name: row.name, scopes: [], since: row.created_at };
        if (row.scope !== '') app.scopes.push(row.scope);
        byClient.set(row.client_id, { ...app, since: Math.min(app.since, row.created_at) });
      }
      return [...byClient.values()];
    },
    /** Forgets the user's approval of a client and ends that client's grants of the user (refresh tokens too). */
    async disconnectApplication(tenantId: string, userId: string, clientId: string, now: number): Promise<{ consents: number; grants: number }> {
      const result = await db.deleteFrom('consents').where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('client_id', '=', clientId).executeTakeFirst();
      return { consents: Number(result.numDeletedRows), grants: await revokeGrants(userId, now, { clientId }) };
    },
  };
}
