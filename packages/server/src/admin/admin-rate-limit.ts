/**
 * Per-principal limit on the admin API: a leaked admin token, or a runaway script, gets 429 with Retry-After
 * (RFC 6585 §4) after LATCHKEY_ADMIN_RATE_LIMIT_PER_PRINCIPAL calls in a window instead of sweeping a directory.
 * Counted after authentication, by who is calling (user or client id), so one admin cannot spend another's
 * allowance; the shared store (Redis, when set) makes the limit hold across instances.
 */
import type { Latchkey } from '../context.ts';
import { TooManyRequests } from '../errors/oauth-error.ts';
import type { AdminPrincipal } from './admin-auth.ts';

export async function limitAdminCalls(ctx: Latchkey, principal: AdminPrincipal): Promise<void> {
  const decision = await ctx.rateLimiter.consume(`admin:${principal.type}:${principal.id}`, ctx.config.adminRateLimitPerPrincipal, ctx.config.rateLimitWindow * 1000);
  if (!decision.allowed) {
    throw new TooManyRequests('too many admin API requests; retry after the time in Retry-After', { headers: { 'Retry-After': String(decision.retryAfterSeconds) } });
  }
}
