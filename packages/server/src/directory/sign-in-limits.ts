/**
 * Brute-force protection for password sign-in (hosted page and password grant alike): failures are counted per
 * account and per IP address over the lockout window; once either count reaches its limit, attempts are refused
 * until the window ends.
 *
 * The account is the user the login resolves to, so the email and the username of one account share one count
 * (counted by the login as typed, an attacker had one allowance per spelling; issue 13). A login that resolves
 * to no user is counted by itself, normalized, so an unknown login locks exactly like an account and the
 * answers do not tell which logins exist.
 */
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { normalizeLogin } from './users.ts';
import { addressKey } from '../http/rate-limit/address-key.ts';

export interface SignInBlock {
  readonly blocked: boolean;
  readonly retryAfterSeconds: number;
}

/** Whose failures are counted: the resolved user, or the login as typed when it names no user. */
export type SignInAccount = { readonly userId: string } | { readonly login: string };

function accountKey(tenant: Tenant, account: SignInAccount): string {
  const id = 'userId' in account ? `user:${account.userId}` : `login:${normalizeLogin(account.login).slice(0, 320)}`;
  return `signin:fail:account:${tenant.id}:${id}`;
}

function ipKey(ip: string): string {
  return `signin:fail:ip:${addressKey(ip)}`;
}

export async function checkSignInBlock(ctx: Latchkey, tenant: Tenant, account: SignInAccount, ip: string): Promise<SignInBlock> {
  const [byAccount, byAddress] = await Promise.all([
    ctx.rateLimiter.isBlocked(accountKey(tenant, account), ctx.config.signInMaxFailuresPerAccount),
    ctx.rateLimiter.isBlocked(ipKey(ip), ctx.config.signInMaxFailuresPerIp),
  ]);
  const retryAfterSeconds = Math.max(byAccount.retryAfterSeconds, byAddress.retryAfterSeconds);
  return { blocked: !byAccount.allowed || !byAddress.allowed, retryAfterSeconds };
}

/** Counts a failure; reports whether the account or the IP is now locked (this failure reached a limit). */
export async function recordSignInFailure(ctx: Latchkey, tenant: Tenant, account: SignInAccount, ip: string): Promise<SignInBlock> {
  const windowMs = ctx.config.signInLockout * 1000;
  const [byAccount, byAddress] = await Promise.all([
    ctx.rateLimiter.consume(accountKey(tenant, account), ctx.config.signInMaxFailuresPerAccount, windowMs),
    ctx.rateLimiter.consume(ipKey(ip), ctx.config.signInMaxFailuresPerIp, windowMs),
  ]);
  if (byAccount.remaining > 0 && byAddress.remaining > 0) return { blocked: false, retryAfterSeconds: 0 };
  return checkSignInBlock(ctx, tenant, account, ip);
}

export async function clearSignInFailures(ctx: Latchkey, tenant: Tenant, account: SignInAccount): Promise<void> {
  await ctx.rateLimiter.reset(accountKey(tenant, account));
}
