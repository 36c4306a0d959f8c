/**
 * Checks a login and password for the hosted sign-in page and the password grant: brute-force limits first,
 * then argon2id (or the same work against a dummy hash for unknown users), then the account's status. Every
 * failure looks the same to the caller and takes about the same time; each outcome is audited.
 */
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { recordAuditEvent } from '../audit/audit-log.ts';
import { verifyAgainstDummy, verifyPassword } from './passwords.ts';
import { checkSignInBlock, clearSignInFailures, recordSignInFailure } from './sign-in-limits.ts';
import type { SignInAccount } from './sign-in-limits.ts';
import { findUserByLogin } from './users.ts';
import type { User } from './users.ts';

export type PasswordSignIn =
  | { readonly outcome: 'success'; readonly user: User }
  | { readonly outcome: 'invalid' }
  | { readonly outcome: 'locked'; readonly retryAfterSeconds: number };

export interface PasswordSignInRequest {
  readonly login: string;
  readonly password: string;
  readonly ip: string;
  /** `hosted_page` or `password_grant`, for the audit log. */
  readonly channel: string;
  readonly clientId: string;
}

export async function signInWithPassword(ctx: Latchkey, tenant: Tenant, request: PasswordSignInRequest): Promise<PasswordSignIn> {
  const details = { channel: request.channel, client_id: request.clientId };
  // Resolved before the lockout check, for known and unknown logins alike (one query either way), so the
  // account's count is shared by its email and username and the timing does not depend on the answer.
  const user = await findUserByLogin(ctx.db, tenant.id, request.login);
  const account: SignInAccount = user === undefined ? { login: request.login } : { userId: user.id };
  const block = await checkSignInBlock(ctx, tenant, account, request.ip);
  if (block.blocked) {
    await recordAuditEvent(ctx, { action: 'user.sign_in', outcome: 'failure', tenantId: tenant.id, ip: request.ip, details: { ...details, reason: 'locked_out' } });
    return { outcome: 'locked', retryAfterSeconds: block.retryAfterSeconds };
  }
  const passwordMatches = user?.password_hash ? await verifyPassword(request.password, user.password_hash) : await verifyAgainstDummy(request.password);
  if (user !== undefined && passwordMatches && user.status === 'active') {
    await clearSignInFailures(ctx, tenant, account);
    await recordAuditEvent(ctx, { action: 'user.sign_in', tenantId: tenant.id, ip: request.ip, actor: { type: 'user', id: user.id }, target: { type: 'user', id: user.id }, details });
    return { outcome: 'success', user };
  }
  const reason = user === undefined ? 'unknown_user' : !passwordMatches ? 'wrong_password' : `user_${user.status}`;
  await recordAuditEvent(ctx, { action: 'user.sign_in', outcome: 'failure', tenantId: tenant.id, ip: request.ip, target: user ? { type: 'user', id: user.id } : null, details: { ...details, reason } });
  const locked = await recordSignInFailure(ctx, tenant, account, request.ip);
  if (locked.blocked) {
    await recordAuditEvent(ctx, { action: 'user.locked_out', outcome: 'failure', tenantId: tenant.id, ip: request.ip, target: user ? { type: 'user', id: user.id } : null, details: { ...details, retry_after_seconds: locked.retryAfterSeconds } });
  }
  return { outcome: 'invalid' };
}
