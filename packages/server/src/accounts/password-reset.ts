/**
 * Password reset. A request answers the same whoever asks (no account enumeration): a known address gets a
 * reset link, an unknown one a mail saying there is no account, and both cost one transaction that queues a
 * mail, so the timing is alike too. The link's token is single-use and short-lived; setting the new password
 * ends every session and grant of the user (refresh tokens included) in the same transaction.
 */
import type { PageMessage } from '../interaction/pages/login-page.ts';
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { accountTokenQueries } from '../db/queries/account-tokens.ts';
import type { AccountTokenRow } from '../db/queries/account-tokens.ts';
import { insertAuditEvent } from '../audit/audit-log.ts';
import { hashPassword } from '../directory/passwords.ts';
import { normalizeLogin } from '../directory/users.ts';
import type { User } from '../directory/users.ts';
import { signOutUser } from '../directory/user-sign-out.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { issueAccountToken } from './account-tokens.ts';
import { passwordPolicyProblem } from './password-policy.ts';
import { tenantUrl } from './page-request.ts';

export async function findPersonByEmail(ctx: Latchkey, tenant: Tenant, email: string): Promise<User | undefined> {
  return ctx.db
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenant.id)
    .where('kind', '=', 'person')
    .where('email_normalized', '=', normalizeLogin(email))
    .executeTakeFirst();
}

export async function requestPasswordReset(ctx: Latchkey, tenant: Tenant, email: string, request: { ip: string; locale?: string }): Promise<void> {
  const user = await findPersonByEmail(ctx, tenant, email);
  const now = ctx.now();
  await ctx.db.transaction().execute(async (trx) => {
    if (user?.email) {
      const token = await issueAccountToken(trx, { tenantId: tenant.id, purpose: 'password_reset', userId: user.id, email: user.email, lifetimeSeconds: ctx.config.passwordResetLifetime }, now);
      const link = tenantUrl(ctx, tenant, 'reset-password', { token });
      const minutes = String(Math.round(ctx.config.passwordResetLifetime / 60));
      await enqueueMail(trx, { tenantId: tenant.id, to: user.email, template: 'password_reset', locale: request.locale ?? tenant.settings.default_locale, params: { tenant: tenant.name, link, minutes } }, now);
    } else {
      await enqueueMail(trx, { tenantId: tenant.id, to: email, template: 'password_reset_unknown', locale: request.locale ?? tenant.settings.default_locale, params: { tenant: tenant.name } }, now);
    }
    await insertAuditEvent(trx, { action: 'account.password_reset.requested', tenantId: tenant.id, ip: request.ip, target: user ? { type: 'user', id: user.id } : null, details: { known_address: user !== undefined } }, now);
  });
  ctx.mail.wake();
}

export type ResetOutcome = { readonly outcome: 'done'; readonly sessions: number; readonly grants: number } | { readonly outcome: 'weak'; readonly problem: PageMessage } | { readonly outcome: 'used' };

export async function completePasswordReset(ctx: Latchkey, tenant: Tenant, token: AccountTokenRow, user: User, password: string, ip: string): Promise<ResetOutcome> {
  const problem = await passwordPolicyProblem(password, tenant.settings.password_policy, { email: user.email, username: user.username, firstName: user.first_name, lastName: user.last_name, tenantName: tenant.name });
  if (problem) return { outcome: 'weak', problem };
  const passwordHash = await hashPassword(password); // slow: outside the transaction
  const now = ctx.now();
  return ctx.db.transaction().execute(async (trx) => {
    if (!(await accountTokenQueries(trx).consume(token.token_hash, now))) return { outcome: 'used' } as const;
    // The mail reached the user's address, which proves it as well as a verification link would.
    const proved = token.email !== null && user.email_normalized === normalizeLogin(token.email);
    await trx
      .updateTable('users')
      .set({ password_hash: passwordHash, updated_at: now, ...(proved && !user.email_verified_at ? { email_verified_at: now } : {}) })
      .where('id', '=', user.id)
      .execute();
    const signedOut = await signOutUser(trx, user.id, now);
    await insertAuditEvent(trx, { action: 'account.password_reset.completed', tenantId: tenant.id, ip, actor: { type: 'user', id: user.id }, target: { type: 'user', id: user.id }, details: { token_id: token.id, ...signedOut } }, now);
    return { outcome: 'done', ...signedOut } as const;
  });
}
