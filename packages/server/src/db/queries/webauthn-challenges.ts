import type { Database } from '../database.ts';
import type { WebAuthnChallengesTable } from '../schema-authentication.ts';

export type WebAuthnChallengeRow = WebAuthnChallengesTable;

/** WebAuthn challenges waiting for their answer; each is consumed once (a replayed response finds it used). */
export function webauthnChallengeQueries(db: Database) {
  return {
    async insert(row: WebAuthnChallengeRow): Promise<void> {
      await db.insertInto('webauthn_challenges').values(row).execute();
    },
    /** Marks the challenge used and returns it; undefined when unknown, expired, of another purpose or used. */
    async consume(tenantId: string, id: string, purpose: WebAuthnChallengeRow['purpose'], now: number): Promise<WebAuthnChallengeRow | undefined> {
      const row = await db.selectFrom('webauthn_challenges').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId).where('purpose', '=', purpose).executeTakeFirst();
      if (row === undefined || row.used_at !== null || row.expires_at <= now) return undefined;
      const result = await db.updateTable('webauthn_challenges').set({ used_at: now }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
      return result.numUpdatedRows > 0n ? row : undefined;
    },
    async deleteExpired(now: number): Promise<void> {
      await db.deleteFrom('webauthn_challenges').where('expires_at', '<=', now).execute();
    },
  };
}
