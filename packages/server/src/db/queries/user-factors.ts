import type { Database } from '../database.ts';
import type { RecoveryCodesTable, UserFactorsTable } from '../schema-authentication.ts';

export type UserFactorRow = UserFactorsTable;

/** A user's second factors and recovery codes. Replays are refused by conditional updates, never read-then-write. */
export function userFactorQueries(db: Database) {
  return {
    async insert(row: UserFactorRow): Promise<void> {
      await db.insertInto('user_factors').values(row).execute();
    },
    async listForUser(userId: string): Promise<UserFactorRow[]> {
      return db.selectFrom('user_factors').selectAll().where('user_id', '=', userId).orderBy('id').execute();
    },
    async findForUser(userId: string, id: string): Promise<UserFactorRow | undefined> {
      return db.selectFrom('user_factors').selectAll().where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
    },
    async findByCredentialId(tenantId: string, credentialId: string): Promise<UserFactorRow | undefined> {
      return db.selectFrom('user_factors').selectAll().where('credential_id', '=', credentialId).where('tenant_id', '=', tenantId).where('type', '=', 'passkey').executeTakeFirst();
    },
    async confirm(id: string, step: number, now: number): Promise<boolean> {
      const result = await db.updateTable('user_factors').set({ confirmed_at: now, last_step: step, last_used_at: now }).where('id', '=', id).where('confirmed_at', 'is', null).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    /** RFC 6238 §5.2: accepts the time step only if it is later than the last one accepted (replay refused). */
    async acceptStep(id: string, step: number, now: number): Promise<boolean> {
      const result = await db
        .updateTable('user_factors')
        .set({ last_step: step, last_used_at: now })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    /** WebAuthn §6.1.1: the stored counter moves only forward; false when another request used it first. */
    async recordAssertion(id: string, previousCount: number, newCount: number, backedUp: boolean, now: number): Promise<boolean> {
      const result = await db
        .updateTable('user_factors')
        .set({ sign_count: newCount, backed_up: backedUp ? 1 : 0, last_used_at: now })
        .where('id', '=', id)
        .where('sign_count', '=', previousCount)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async rename(userId: string, id: string, name: string): Promise<boolean> {
      const result = await db.updateTable('user_factors').set({ name }).where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async remove(userId: string, id: string): Promise<boolean> {
      const result = await db.deleteFrom('user_factors').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    /** Removes every factor and recovery code of the user; the number of factors removed. */
    async removeAll(userId: string): Promise<number> {
      const result = await db.deleteFrom('user_factors').where('user_id', '=', userId).executeTakeFirst();
      await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      return Number(result.numDeletedRows);
    },
    /** Unconfirmed enrolments created before `before` (abandoned or replaced QR pages). */
    async deleteUnconfirmed(userId: string, before: number): Promise<void> {
      await db.deleteFrom('user_factors').where('user_id', '=', userId).where('confirmed_at', 'is', null).where('created_at', '<', before).execute();
    },
    async replaceRecoveryCodes(rows: readonly RecoveryCodesTable[], userId: string): Promise<void> {
      await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      if (rows.length > 0) await db.insertInto('recovery_codes').values([...rows]).execute();
    },
    async useRecoveryCode(userId: string, codeHash: string, now: number): Promise<boolean> {
      const result = await db.updateTable('recovery_codes').set({ used_at: now }).where('code_hash', '=', codeHash).where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async recoveryCodesLeft(userId: string): Promise<number> {
      const row = await db.selectFrom('recovery_codes').select((eb) => eb.fn.countAll<number | string>().as('n')).where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    /** Per user of the tenant: confirmed factors by type (for the enrolment report). */
    async enrolmentOfTenant(tenantId: string): Promise<{ user_id: string; type: string; n: number }[]> {
      const rows = await db
        .selectFrom('user_factors')
        .select(['user_id', 'type', (eb) => eb.fn.countAll<number | string>().as('n')])
        .where('tenant_id', '=', tenantId)
        .where('confirmed_at', 'is not', null)
        .groupBy(['user_id', 'type'])
        .execute();
      return rows.map((r) => ({ user_id: r.user_id, type: r.type, n: Number(r.n) }));
    },
  };
}
