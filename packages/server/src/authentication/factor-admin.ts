/**
 * Administration of second factors, shared by the admin API and the CLI: list a user's factors (never a
 * secret: no TOTP seed, no recovery code, no public key), remove one, reset all (the user enrols again at the
 * next sign-in where the policy asks for a factor), and the tenant's enrolment report.
 */
import type { Database } from '../db/database.ts';
import { userFactorQueries } from '../db/queries/user-factors.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { NotFound, assert } from '../errors/oauth-error.ts';
import { summarizeFactor } from './factors.ts';
import type { FactorSummary } from './factors.ts';

export interface UserFactors {
  readonly factors: FactorSummary[];
  readonly recovery_codes_left: number;
}

export async function listUserFactors(db: Database, userId: string): Promise<UserFactors> {
  const queries = userFactorQueries(db);
  const rows = (await queries.listForUser(userId)).filter((f) => f.type === 'passkey' || f.confirmed_at !== null);
  return { factors: rows.map(summarizeFactor), recovery_codes_left: await queries.recoveryCodesLeft(userId) };
}

/** Removes one factor; with none left, the recovery codes go too (they stand in for a factor). */
export async function removeUserFactor(db: Database, userId: string, factorId: string): Promise<FactorSummary> {
  const queries = userFactorQueries(db);
  const factor = await queries.findForUser(userId, factorId);
  assert(factor !== undefined && (await queries.remove(userId, factorId)), new NotFound('no such factor for this user'));
  if ((await listUserFactors(db, userId)).factors.length === 0) await queries.replaceRecoveryCodes([], userId);
  return summarizeFactor(factor);
}

export async function resetUserFactors(db: Database, userId: string): Promise<{ factors_removed: number }> {
  return { factors_removed: await userFactorQueries(db).removeAll(userId) };
}

export interface EnrolmentReport {
  readonly policy: string;
  readonly required_for_admins: boolean;
  readonly allowed_factors: readonly string[];
  readonly people: number;
  readonly enrolled: number;
  readonly with_totp: number;
  readonly with_passkey: number;
  /** Admins who must use a second factor and have none yet (they will enrol at their next sign-in). */
  readonly admins_without_factor: string[];
}

export async function enrolmentReport(db: Database, tenant: Tenant): Promise<EnrolmentReport> {
  const people = await db.selectFrom('users').select(['id', 'admin_role']).where('tenant_id', '=', tenant.id).where('kind', '=', 'person').execute();
  const rows = await userFactorQueries(db).enrolmentOfTenant(tenant.id);
  const enrolled = new Set(rows.map((r) => r.user_id));
  const withType = (type: string) => new Set(rows.filter((r) => r.type === type).map((r) => r.user_id)).size;
  return {
    policy: tenant.settings.mfa.policy,
    required_for_admins: tenant.settings.mfa.required_for_admins,
    allowed_factors: tenant.settings.mfa.allowed_factors,
    people: people.length,
    enrolled: enrolled.size,
    with_totp: withType('totp'),
    with_passkey: withType('passkey'),
    admins_without_factor: people.filter((p) => p.admin_role !== null && !enrolled.has(p.id)).map((p) => p.id),
  };
}
