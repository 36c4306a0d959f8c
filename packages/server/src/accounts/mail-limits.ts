/**
 * Limits on mail anyone can ask for (password reset, sign-up, a new verification link): per address, counted
 * for unknown addresses exactly as for known ones (so the limit reveals nothing), and per IP, over an hour.
 */
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { addressKey } from '../http/rate-limit/address-key.ts';
import { normalizeLogin } from '../directory/users.ts';
import type { PageMessage } from '../interaction/pages/login-page.ts';

const WINDOW_MS = 3_600_000;

export interface MailLimit {
  readonly allowed: boolean;
  readonly retryAfterSeconds: number;
}

export async function consumeAccountMailLimit(ctx: Latchkey, tenant: Tenant, email: string, ip: string): Promise<MailLimit> {
  const [address, client] = await Promise.all([
    ctx.rateLimiter.consume(`account-mail:address:${tenant.id}:${normalizeLogin(email).slice(0, 320)}`, ctx.config.accountMailPerAddress, WINDOW_MS),
    ctx.rateLimiter.consume(`account-mail:ip:${addressKey(ip)}`, ctx.config.accountMailPerIp, WINDOW_MS),
  ]);
  return { allowed: address.allowed && client.allowed, retryAfterSeconds: Math.max(address.retryAfterSeconds, client.retryAfterSeconds) };
}

export function waitMessage(retryAfterSeconds: number): PageMessage {
  return { key: 'page.self_service.too_many', values: { minutes: Math.max(1, Math.ceil(retryAfterSeconds / 60)) } };
}
