/**
 * What a signed-in person changes on their account page. Sensitive changes (password, email) ask for the
 * current password again, with the sign-in brute-force limits; a new password ends every session and grant
 * (the page then starts a fresh session for this browser); a new email takes effect only once the link mailed
 * to it is used.
 */
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { insertAuditEvent, recordAuditEvent } from '../audit/audit-log.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { hashPassword, verifyPassword } from '../directory/passwords.ts';
import { checkSignInBlock, recordSignInFailure } from '../directory/sign-in-limits.ts';
import { normalizeLogin } from '../directory/users.ts';
import type { User } from '../directory/users.ts';
import { signOutUser } from '../directory/user-sign-out.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { issueAccountToken } from './account-tokens.ts';
import { passwordPolicyProblem } from './password-policy.ts';
import { looksLikeEmail, tenantUrl } from './page-request.ts';
import type { PageMessage } from '../interaction/pages/login-page.ts';

const USERNAME = /^[A-Za-z0-9._@+-]{1,100}$/;

export type ChangeResult = { readonly ok: true } | { readonly ok: false; readonly problem: PageMessage; readonly status: number };

const ok: ChangeResult = { ok: true };
const refuse = (problem: PageMessage | string, status = 400): ChangeResult => ({ ok: false, problem: typeof problem === 'string' ? { key: problem } : problem, status });

/** Re-authentication: the current password, counted like a sign-in attempt. */
export async function confirmCurrentPassword(ctx: Latchkey, tenant: Tenant, user: User, password: string, ip: string): Promise<ChangeResult> {
  const account = { userId: user.id };
  const block = await checkSignInBlock(ctx, tenant, account, ip);
  if (block.blocked) return refuse({ key: 'page.account.too_many_attempts', values: { minutes: Math.ceil(block.retryAfterSeconds / 60) } }, 429);
  if (user.password_hash !== null && password !== '' && (await verifyPassword(password, user.password_hash))) return ok;
  await recordSignInFailure(ctx, tenant, account, ip);
  await recordAuditEvent(ctx, { action: 'account.reauthentication', outcome: 'failure', tenantId: tenant.id, ip, actor: { type: 'user', id: user.id }, target: { type: 'user', id: user.id } });
  return refuse('page.account.wrong_password', 403);
}

export interface ProfileInput {
  readonly firstName: string;
  readonly lastName: string;
  readonly displayName: string;
  readonly username: string;
}

export async function updateProfile(ctx: Latchkey, tenant: Tenant, user: User, input: ProfileInput, ip: string): Promise<ChangeResult> {
  for (const value of Object.values(input)) if (value.length > 200) return refuse('page.account.too_long');
  if (input.username !== '' && !USERNAME.test(input.username)) return refuse('page.account.username_characters');
  if (input.username === '' && user.email === null) return refuse('page.account.username_needed');
  const now = ctx.now();
  const firstName = input.firstName || null;
  const lastName = input.lastName || null;
  const changes = {
    first_name: firstName,
    last_name: lastName,
    display_name: input.displayName || [firstName, lastName].filter(Boolean).join(' ') || input.username || user.email,
    username: input.username || null,
    username_normalized: input.username ? normalizeLogin(input.username) : null,
    updated_at: now,
  };
  try {
    await ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set(changes).where('id', '=', user.id).execute();
      await insertAuditEvent(trx, { action: 'account.profile.update', tenantId: tenant.id, ip, actor: { type: 'user', id: user.id }, target: { type: 'user', id: user.id }, details: { fields: Object.keys(input) } }, now);
    });
  } catch (error) {
    if (isUniqueViolation(error)) return refuse('page.account.username_taken', 409);
    throw error;
  }
  return ok;
}

/** Mails a confirmation link to the new address; the account keeps its address until the link is used. */
export async function requestEmailChange(ctx: Latchkey, tenant: Tenant, user: User, newEmail: string, ip: string, locale: string): Promise<ChangeResult> {
  if (!looksLikeEmail(newEmail)) return refuse('page.self_service.enter_email');
  if (user.email_normalized === normalizeLogin(newEmail)) return refuse('page.account.same_email');
  const now = ctx.now();
  await ctx.db.transaction().execute(async (trx) => {
    const token = await issueAccountToken(trx, { tenantId: tenant.id, purpose: 'email_change', userId: user.id, email: newEmail, lifetimeSeconds: ctx.config.verificationLifetime }, now);
    const link = tenantUrl(ctx, tenant, 'verify-email', { token });
    await enqueueMail(trx, { tenantId: tenant.id, to: newEmail, template: 'email_change', locale, params: { tenant: tenant.name, link, email: newEmail, hours: String(Math.round(ctx.config.verificationLifetime / 3600)) } }, now);
    await insertAuditEvent(trx, { action: 'account.email_change.requested', tenantId: tenant.id, ip, actor: { type: 'user', id: user.id }, target: { type: 'user', id: user.id } }, now);
  });
  ctx.mail.wake();
  return ok;
}

export async function changePassword(ctx: Latchkey, tenant: Tenant, user: User, password: string, ip: string): Promise<ChangeResult> {
  const problem = await passwordPolicyProblem(password, tenant.settings.password_policy, { email: user.email, username: user.username, firstName: user.first_name, lastName: user.last_name, tenantName: tenant.name });
  if (problem) return refuse(problem);
  const passwordHash = await hashPassword(password);
  const now = ctx.now();
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: passwordHash, updated_at: now }).where('id', '=', user.id).execute();
    const signedOut = await signOutUser(trx, user.id, now);
    await insertAuditEvent(trx, { action: 'account.password.change', tenantId: tenant.id, ip, actor: { type: 'user', id: user.id }, target: { type: 'user', id: user.id }, details: { signed_out: signedOut } }, now);
  });
  return ok;
}
