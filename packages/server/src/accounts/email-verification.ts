/**
 * Email verification: a single-use link mailed to the address (on sign-up, on an email change, when an admin
 * asks, and when a tenant that requires verified addresses stops a sign-in). Confirming sets
 * `email_verified_at`, which `email_verified` in ID tokens and userinfo reflects; a link for an address the
 * user no longer has confirms nothing.
 */
import type { Latchkey } from '../context.ts';
import type { Database } from '../db/database.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { accountTokenQueries } from '../db/queries/account-tokens.ts';
import type { AccountTokenRow } from '../db/queries/account-tokens.ts';
import { insertAuditEvent } from '../audit/audit-log.ts';
import { normalizeLogin } from '../directory/users.ts';
import type { User } from '../directory/users.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { issueAccountToken } from './account-tokens.ts';
import { tenantUrl } from './page-request.ts';
import { consumeAccountMailLimit } from './mail-limits.ts';
import type { PageMessage } from '../interaction/pages/login-page.ts';

export function isEmailVerified(user: Pick<User, 'email_verified_at'>): boolean {
  return user.email_verified_at !== null && user.email_verified_at !== undefined;
}

/** Whether sign-in must stop for this user until the address is confirmed (`features.auth.require_verified_email`). */
export function mustVerifyBeforeSignIn(tenant: Tenant, user: User): boolean {
  return tenant.settings.features.auth.require_verified_email && user.email !== null && !isEmailVerified(user);
}

function hours(ctx: Latchkey): string {
  return String(Math.round(ctx.config.verificationLifetime / 3600));
}

/** Queues a verification mail for the user's current address, in the caller's transaction. */
export async function queueVerificationMail(ctx: Latchkey, db: Database, tenant: Tenant, user: User, now: number, locale?: string): Promise<void> {
  if (user.email === null) return;
  const token = await issueAccountToken(db, { tenantId: tenant.id, purpose: 'email_verification', userId: user.id, email: user.email, lifetimeSeconds: ctx.config.verificationLifetime }, now);
  const link = tenantUrl(ctx, tenant, 'verify-email', { token });
  await enqueueMail(db, { tenantId: tenant.id, to: user.email, template: 'email_verification', locale: locale ?? tenant.settings.default_locale, params: { tenant: tenant.name, link, hours: hours(ctx) } }, now);
}

export async function sendVerificationMail(ctx: Latchkey, tenant: Tenant, user: User, actor: { type: string; id: string | null }, ip: string | null): Promise<void> {
  const now = ctx.now();
  await ctx.db.transaction().execute(async (trx) => {
    await queueVerificationMail(ctx, trx, tenant, user, now);
    await insertAuditEvent(trx, { action: 'account.email_verification.sent', tenantId: tenant.id, ip, actor, target: { type: 'user', id: user.id } }, now);
  });
  ctx.mail.wake();
}

export type ConfirmOutcome = 'confirmed' | 'used' | 'stale';

/** Uses a verification or email-change link: the address becomes verified (and, for a change, the user's). */
export async function confirmEmail(ctx: Latchkey, tenant: Tenant, token: AccountTokenRow, ip: string): Promise<ConfirmOutcome> {
  const now = ctx.now();
  return ctx.db.transaction().execute(async (trx) => {
    if (!(await accountTokenQueries(trx).consume(token.token_hash, now))) return 'used';
    const user = await trx.selectFrom('users').selectAll().where('id', '=', token.user_id ?? '').where('tenant_id', '=', tenant.id).executeTakeFirst();
    if (!user || token.email === null) return 'stale';
    if (token.purpose === 'email_change') {
      const taken = await trx.selectFrom('users').select('id').where('tenant_id', '=', tenant.id).where('email_normalized', '=', normalizeLogin(token.email)).where('id', '!=', user.id).executeTakeFirst();
      if (taken) return 'stale';
      await trx.updateTable('users').set({ email: token.email, email_normalized: normalizeLogin(token.email), email_verified_at: now, updated_at: now }).where('id', '=', user.id).execute();
    } else {
      if (user.email_normalized !== normalizeLogin(token.email)) return 'stale';
      await trx.updateTable('users').set({ email_verified_at: now, updated_at: now }).where('id', '=', user.id).execute();
    }
    await insertAuditEvent(trx, { action: token.purpose === 'email_change' ? 'account.email_change.confirmed' : 'account.email_verification.confirmed', tenantId: tenant.id, ip, actor: { type: 'user', id: user.id }, target: { type: 'user', id: user.id }, details: { token_id: token.id, ...(token.purpose === 'email_change' ? { previous_email: user.email } : {}) } }, now);
    return 'confirmed';
  });
}

/**
 * A sign-in stopped for an unverified address (`require_verified_email`): mails a new link, within the
 * per-address and per-IP mail limits, and returns what the sign-in page should say.
 */
export async function verificationNeededMessage(ctx: Latchkey, tenant: Tenant, user: User, ip: string): Promise<PageMessage> {
  const limit = await consumeAccountMailLimit(ctx, tenant, user.email ?? '', ip);
  if (limit.allowed) await sendVerificationMail(ctx, tenant, user, { type: 'user', id: user.id }, ip);
  return { key: 'page.login.verify_email_first', values: { email: user.email ?? '' } };
}
