/**
 * Self sign-up (`features.auth.registration_enabled`). With `registration_requires_verified_email` (the
 * default) a sign-up becomes an account only when its mailed link is used, so nobody can hold an address they
 * do not receive mail at; the pending sign-up (names, password hash) waits in the link's token. An address that
 * already has an account gets a mail saying so instead, and the page answers the same either way (no account
 * enumeration). Without verification the account is created at once and a verification mail sent.
 */
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { accountTokenQueries } from '../db/queries/account-tokens.ts';
import type { AccountTokenRow } from '../db/queries/account-tokens.ts';
import { insertAuditEvent } from '../audit/audit-log.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { Conflict } from '../errors/oauth-error.ts';
import { hashPassword } from '../directory/passwords.ts';
import { createUser } from '../directory/users.ts';
import type { User } from '../directory/users.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { issueAccountToken } from './account-tokens.ts';
import { queueVerificationMail } from './email-verification.ts';
import { passwordPolicyProblem } from './password-policy.ts';
import { findPersonByEmail } from './password-reset.ts';
import { tenantUrl } from './page-request.ts';
import type { PageMessage } from '../interaction/pages/login-page.ts';

export interface SignUp {
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly password: string;
  /** The sign-in this sign-up started from, to continue it after confirmation. */
  readonly interaction?: string;
}

/** Why the tenant does not take this address (allowed domains), or undefined. */
export function domainProblem(tenant: Tenant, email: string): PageMessage | undefined {
  const allowed = tenant.settings.features.auth.registration_allowed_domains;
  if (allowed.length === 0) return undefined;
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return allowed.includes(domain) ? undefined : { key: 'page.sign_up.domain_refused', values: { domains: allowed.join(', ') } };
}

export async function signUpProblem(tenant: Tenant, input: SignUp): Promise<PageMessage | undefined> {
  return domainProblem(tenant, input.email) ?? (await passwordPolicyProblem(input.password, tenant.settings.password_policy, { email: input.email, firstName: input.firstName, lastName: input.lastName, tenantName: tenant.name }));
}

/** Records a sign-up and queues its mail; the caller shows the same "check your mail" page whatever happened. */
export async function registerSignUp(ctx: Latchkey, tenant: Tenant, input: SignUp, ip: string, locale: string): Promise<void> {
  const passwordHash = await hashPassword(input.password); // for known addresses too: the same time either way
  const existing = await findPersonByEmail(ctx, tenant, input.email);
  const hours = String(Math.round(ctx.config.verificationLifetime / 3600));
  const now = ctx.now();
  await ctx.db.transaction().execute(async (trx) => {
    if (existing !== undefined) {
      const link = tenantUrl(ctx, tenant, 'forgot-password');
      await enqueueMail(trx, { tenantId: tenant.id, to: existing.email ?? input.email, template: 'registration_existing', locale, params: { tenant: tenant.name, link } }, now);
      await insertAuditEvent(trx, { action: 'account.sign_up.existing_address', tenantId: tenant.id, ip, target: { type: 'user', id: existing.id } }, now);
      return;
    }
    if (tenant.settings.features.auth.registration_requires_verified_email) {
      const data = { first_name: input.firstName, last_name: input.lastName, password_hash: passwordHash, ...(input.interaction ? { interaction: input.interaction } : {}) };
      const token = await issueAccountToken(trx, { tenantId: tenant.id, purpose: 'registration', userId: null, email: input.email, data, lifetimeSeconds: ctx.config.verificationLifetime }, now);
      const link = tenantUrl(ctx, tenant, 'verify-email', { token });
      await enqueueMail(trx, { tenantId: tenant.id, to: input.email, template: 'registration', locale, params: { tenant: tenant.name, link, hours } }, now);
      await insertAuditEvent(trx, { action: 'account.sign_up.requested', tenantId: tenant.id, ip }, now);
      return;
    }
    const user = await createUser(ctx, tenant, { email: input.email, firstName: input.firstName || null, lastName: input.lastName || null }, trx);
    await trx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', user.id).execute();
    await queueVerificationMail(ctx, trx, tenant, user, now, locale);
    await insertAuditEvent(trx, { action: 'account.sign_up.completed', tenantId: tenant.id, ip, actor: { type: 'user', id: user.id }, target: { type: 'user', id: user.id }, details: { verified: false } }, now);
  });
  ctx.mail.wake();
}

export type RegistrationOutcome = { readonly outcome: 'created'; readonly user: User } | { readonly outcome: 'used' } | { readonly outcome: 'taken' };

/** Uses a sign-up link: the account is created with its address verified. */
export async function completeRegistration(ctx: Latchkey, tenant: Tenant, token: AccountTokenRow, ip: string): Promise<RegistrationOutcome> {
  const data = JSON.parse(token.data) as { first_name?: string; last_name?: string; password_hash?: string };
  const now = ctx.now();
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      if (!(await accountTokenQueries(trx).consume(token.token_hash, now))) return { outcome: 'used' } as const;
      const created = await createUser(ctx, tenant, { email: token.email, firstName: data.first_name || null, lastName: data.last_name || null }, trx);
      await trx.updateTable('users').set({ password_hash: data.password_hash ?? null, email_verified_at: now }).where('id', '=', created.id).execute();
      await insertAuditEvent(trx, { action: 'account.sign_up.completed', tenantId: tenant.id, ip, actor: { type: 'user', id: created.id }, target: { type: 'user', id: created.id }, details: { verified: true, token_id: token.id } }, now);
      return { outcome: 'created', user: { ...created, email_verified_at: now } } as const;
    });
  } catch (error) {
    // Someone got the address meanwhile (an invitation, an admin): the link creates nothing.
    if (error instanceof Conflict || isUniqueViolation(error)) return { outcome: 'taken' };
    throw error;
  }
}
