/**
 * Brute-force protection for password sign-in (hosted page and password grant alike): failures are counted per
 * account (the login as typed, so unknown accounts lock exactly like real ones) and per IP address over the
 * lockout window; once either count reaches its limit, attempts are refused until the window ends.
 */
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { normalizeLogin } from './users.ts';
import { addressKey } from '../http/rate-limit/address-key.ts';

export interface SignInBlock {
  readonly blocked: boolean;
  readonly retryAfterSeconds: number;
}

function accountKey(tenant: Tenant, login: string): string {
  return `signin:fail:account:${tenant.id}:${normalizeLogin(login).slice(0, 320)}`;
}

function ipKey(ip: string): string {
  return `signin:fail:ip:${addressKey(ip)}`;
}

export async function checkSignInBlock(ctx: Latchkey, tenant: Tenant, login: string, ip: string): Promise<SignInBlock> {
  const [account, address] = await Promise.all([
    ctx.rateLimiter.isBlocked(accountKey(tenant, login), ctx.config.signInMaxFailuresPerAccount),
    ctx.rateLimiter.isBlocked(ipKey(ip), ctx.config.signInMaxFailuresPerIp),
  ]);
  const retryAfterSeconds = Math.max(account.retryAfterSeconds, address.retryAfterSeconds);
  return { blocked: !account.allowed || !address.allowed, retryAfterSeconds };
}

/** Counts a failure; reports whether the account or the IP is now locked (this failure reached a limit). */
export async function recordSignInFailure(ctx: Latchkey, tenant: Tenant, login: string, ip: string): Promise<SignInBlock> {
  const windowMs = ctx.config.signInLockout * 1000;
  const [account, address] = await Promise.all([
    ctx.rateLimiter.consume(accountKey(tenant, login), ctx.config.signInMaxFailuresPerAccount, windowMs),
    ctx.rateLimiter.consume(ipKey(ip), ctx.config.signInMaxFailuresPerIp, windowMs),
  ]);
  if (account.remaining > 0 && address.remaining > 0) return { blocked: false, retryAfterSeconds: 0 };
  return checkSignInBlock(ctx, tenant, login, ip);
}

export async function clearSignInFailures(ctx: Latchkey, tenant: Tenant, login: string): Promise<void> {
  await ctx.rateLimiter.reset(accountKey(tenant, login));
}
