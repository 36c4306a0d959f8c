/**
 * A user's second factors as the rest of Latchkey sees them: what is enrolled (never a secret), which factors a
 * user can answer with, and TOTP enrolment and checks. Failed codes count towards the same brute-force limits
 * as passwords (per account and per IP); each enrolment, use and failure is an audit event.
 */
import type { Latchkey } from '../context.ts';
import { recordAuditEvent } from '../audit/audit-log.ts';
import { userFactorQueries } from '../db/queries/user-factors.ts';
import type { UserFactorRow } from '../db/queries/user-factors.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import type { UserRow } from '../db/queries/users.ts';
import { checkSignInBlock, clearSignInFailures, recordSignInFailure } from '../directory/sign-in-limits.ts';
import type { SignInAccount } from '../directory/sign-in-limits.ts';
import { newId } from '../util/ids.ts';
import { openFactorSecret, sealFactorSecret } from './sealed-secrets.ts';
import { matchTotp, newTotpSecret, normalizeTotpCode, totpUri } from './totp.ts';

/** What may be shown about a factor: to its user, and in the admin API. */
export interface FactorSummary {
  readonly id: string;
  readonly type: 'totp' | 'passkey';
  readonly name: string;
  readonly created_at: number;
  readonly last_used_at: number | null;
  /** Passkeys: synced (`multiDevice`) or bound to one authenticator (`singleDevice`), and backed up. */
  readonly device_type?: string | null;
  readonly backed_up?: boolean;
}

export function summarizeFactor(row: UserFactorRow): FactorSummary {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    created_at: Number(row.created_at),
    last_used_at: row.last_used_at === null ? null : Number(row.last_used_at),
    ...(row.type === 'passkey' ? { device_type: row.device_type, backed_up: row.backed_up === 1 } : {}),
  };
}

/** The user's factors that can be used (a TOTP counts once its enrolment was confirmed). */
export async function usableFactors(ctx: Latchkey, userId: string): Promise<UserFactorRow[]> {
  return (await userFactorQueries(ctx.db).listForUser(userId)).filter((f) => f.type === 'passkey' || f.confirmed_at !== null);
}

/** Second-factor failures count on the same account as password failures: one allowance per user in all. */
function factorLimitKey(user: UserRow): SignInAccount {
  return { userId: user.id };
}

export type CodeCheck = { readonly outcome: 'success'; readonly factorId: string } | { readonly outcome: 'invalid' } | { readonly outcome: 'locked'; readonly retryAfterSeconds: number };

export interface CodeAttempt {
  readonly tenant: Tenant;
  readonly user: UserRow;
  readonly code: string;
  readonly ip: string;
}

/** Counts a failed code and audits it; reports a lockout this failure caused. */
async function failCode(ctx: Latchkey, attempt: CodeAttempt, reason: string, factor: string): Promise<CodeCheck> {
  const { tenant, user, ip } = attempt;
  await recordAuditEvent(ctx, { action: 'user.mfa.verify', outcome: 'failure', tenantId: tenant.id, ip, actor: { type: 'user', id: user.id }, target: { type: 'user', id: user.id }, details: { factor, reason } });
  const locked = await recordSignInFailure(ctx, tenant, factorLimitKey(user), ip);
  if (locked.blocked) {
    await recordAuditEvent(ctx, { action: 'user.locked_out', outcome: 'failure', tenantId: tenant.id, ip, target: { type: 'user', id: user.id }, details: { factor, retry_after_seconds: locked.retryAfterSeconds } });
  }
  return { outcome: 'invalid' };
}

export async function checkFactorBlock(ctx: Latchkey, tenant: Tenant, user: UserRow, ip: string): Promise<{ blocked: boolean; retryAfterSeconds: number }> {
  return checkSignInBlock(ctx, tenant, factorLimitKey(user), ip);
}

/** Checks a TOTP code against the user's confirmed TOTP factors; the step is consumed on success. */
export async function verifyTotpCode(ctx: Latchkey, attempt: CodeAttempt): Promise<CodeCheck> {
  const { tenant, user, ip } = attempt;
  const block = await checkFactorBlock(ctx, tenant, user, ip);
  if (block.blocked) return { outcome: 'locked', retryAfterSeconds: block.retryAfterSeconds };
  const code = normalizeTotpCode(attempt.code);
  const now = ctx.now();
  const queries = userFactorQueries(ctx.db);
  let replayed = false;
  for (const factor of (await usableFactors(ctx, user.id)).filter((f) => f.type === 'totp')) {
    const step = matchTotp(await openFactorSecret(ctx, factor.secret_sealed!), code, now);
    if (step === undefined) continue;
    if (await queries.acceptStep(factor.id, step, now)) {
      await clearSignInFailures(ctx, tenant, factorLimitKey(user));
      await recordAuditEvent(ctx, { action: 'user.mfa.verify', tenantId: tenant.id, ip, actor: { type: 'user', id: user.id }, target: { type: 'user', id: user.id }, details: { factor: 'totp', factor_id: factor.id } });
      return { outcome: 'success', factorId: factor.id };
    }
    replayed = true;
  }
  return failCode(ctx, attempt, replayed ? 'code_reused' : 'wrong_code', 'totp');
}

/** Counts and audits a failed recovery code exactly like a failed TOTP code. */
export async function failRecoveryCode(ctx: Latchkey, attempt: CodeAttempt): Promise<CodeCheck> {
  return failCode(ctx, attempt, 'wrong_or_used_code', 'recovery_code');
}

export interface TotpEnrolment {
  readonly factorId: string;
  readonly secret: string;
  readonly uri: string;
}

/**
 * Starts a TOTP enrolment: a new secret, stored sealed and inactive until a code confirms it. A user has at most
 * one pending enrolment (a new one replaces it), so reloading the page, or a cross-site link to it, adds nothing.
 */
export async function beginTotpEnrolment(ctx: Latchkey, tenant: Tenant, user: UserRow): Promise<TotpEnrolment> {
  const now = ctx.now();
  const queries = userFactorQueries(ctx.db);
  await queries.deleteUnconfirmed(user.id, now + 1);
  const secret = newTotpSecret();
  const factorId = newId('fct', now);
  await queries.insert({
    id: factorId, tenant_id: tenant.id, user_id: user.id, type: 'totp', name: 'Authenticator app',
    secret_sealed: await sealFactorSecret(ctx, secret), last_step: null,
    credential_id: null, public_key: null, sign_count: null, transports: null, device_type: null, backed_up: null,
    created_at: now, confirmed_at: null, last_used_at: null,
  });
  return { factorId, secret, uri: totpUri(secret, { issuer: tenant.name, label: user.email ?? user.username ?? user.id }) };
}

/** The pending enrolment's secret and URI again (the page is shown again after a wrong code). */
export async function pendingTotpEnrolment(ctx: Latchkey, tenant: Tenant, user: UserRow, factorId: string): Promise<TotpEnrolment | undefined> {
  const factor = await userFactorQueries(ctx.db).findForUser(user.id, factorId);
  if (factor === undefined || factor.type !== 'totp' || factor.confirmed_at !== null) return undefined;
  const secret = await openFactorSecret(ctx, factor.secret_sealed!);
  return { factorId, secret, uri: totpUri(secret, { issuer: tenant.name, label: user.email ?? user.username ?? user.id }) };
}

/** Confirms a TOTP enrolment with one valid code (counted towards the limits when wrong). */
export async function confirmTotpEnrolment(ctx: Latchkey, attempt: CodeAttempt & { factorId: string; name: string }): Promise<CodeCheck> {
  const { tenant, user, ip } = attempt;
  const block = await checkFactorBlock(ctx, tenant, user, ip);
  if (block.blocked) return { outcome: 'locked', retryAfterSeconds: block.retryAfterSeconds };
  const queries = userFactorQueries(ctx.db);
  const factor = await queries.findForUser(user.id, attempt.factorId);
  if (factor === undefined || factor.type !== 'totp' || factor.confirmed_at !== null) return failCode(ctx, attempt, 'no_pending_enrolment', 'totp');
  const step = matchTotp(await openFactorSecret(ctx, factor.secret_sealed!), normalizeTotpCode(attempt.code), ctx.now());
  if (step === undefined || !(await queries.confirm(factor.id, step, ctx.now()))) return failCode(ctx, attempt, 'wrong_code', 'totp');
  if (attempt.name !== '') await queries.rename(user.id, factor.id, attempt.name);
  await clearSignInFailures(ctx, tenant, factorLimitKey(user));
  await recordAuditEvent(ctx, { action: 'user.mfa.enrol', tenantId: tenant.id, ip, actor: { type: 'user', id: user.id }, target: { type: 'user', id: user.id }, details: { factor: 'totp', factor_id: factor.id } });
  return { outcome: 'success', factorId: factor.id };
}
