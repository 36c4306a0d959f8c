/**
 * The single-use, short-lived tokens behind mailed links (password reset, email verification, email change,
 * sign-up confirmation): 256 random bits in the link, only their SHA-256 in the database. A link is checked
 * against its tenant and purpose, so a token from another tenant or for another purpose is as unknown as a
 * tampered one. Every refused link is audited with why (without the token).
 */
import type { FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import type { Database } from '../db/database.ts';
import { accountTokenQueries } from '../db/queries/account-tokens.ts';
import type { AccountTokenRow } from '../db/queries/account-tokens.ts';
import type { AccountTokenPurpose } from '../db/schema-accounts.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { recordAuditEvent } from '../audit/audit-log.ts';
import { generateOpaqueToken, hashSecret } from '../tokens/opaque.ts';
import { newId } from '../util/ids.ts';

export interface NewAccountToken {
  readonly tenantId: string;
  readonly purpose: AccountTokenPurpose;
  readonly userId: string | null;
  readonly email: string | null;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly lifetimeSeconds: number;
}

/** Inserts the token (in the caller's transaction, with the mail that carries it) and returns the raw value. */
export async function issueAccountToken(db: Database, token: NewAccountToken, now: number): Promise<string> {
  const raw = generateOpaqueToken(32);
  // Housekeeping rides along with new links (as with interactions): expired links lose what they carried, and
  // are dropped a week after.
  await accountTokenQueries(db).pruneExpired(now, now - 7 * 86_400_000);
  if (token.userId !== null) await accountTokenQueries(db).voidUnused(token.userId, token.purpose, now);
  await accountTokenQueries(db).insert({
    token_hash: hashSecret(raw),
    id: newId('atk', now),
    tenant_id: token.tenantId,
    purpose: token.purpose,
    user_id: token.userId,
    email: token.email,
    data: JSON.stringify(token.data ?? {}),
    created_at: now,
    expires_at: now + token.lifetimeSeconds * 1000,
    consumed_at: null,
  });
  return raw;
}

export type LinkProblem = 'missing' | 'unknown' | 'expired' | 'used' | 'revoked';

export type LinkCheck = { readonly ok: true; readonly token: AccountTokenRow } | { readonly ok: false; readonly problem: LinkProblem };

export const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Looks a link's token up without using it (a GET, which mail scanners may prefetch, changes nothing). */
export async function checkAccountToken(ctx: Latchkey, tenant: Tenant, purpose: AccountTokenPurpose | readonly AccountTokenPurpose[], raw: string | undefined): Promise<LinkCheck> {
  const purposes: readonly AccountTokenPurpose[] = typeof purpose === 'string' ? [purpose] : purpose;
  if (raw === undefined || raw === '') return { ok: false, problem: 'missing' };
  if (!TOKEN_SHAPE.test(raw)) return { ok: false, problem: 'unknown' };
  const token = await accountTokenQueries(ctx.db).findByHash(hashSecret(raw));
  if (token === undefined || token.tenant_id !== tenant.id || !purposes.includes(token.purpose)) return { ok: false, problem: 'unknown' };
  if (token.consumed_at !== null) return { ok: false, problem: 'used' };
  if (token.expires_at <= ctx.now()) return { ok: false, problem: 'expired' };
  return { ok: true, token };
}

/** Audits a refused link: which purpose, why, and (when the token is known) its id and user. */
export async function auditRefusedLink(ctx: Latchkey, request: FastifyRequest, tenant: Tenant, purpose: string, problem: LinkProblem, token?: Pick<AccountTokenRow, 'id' | 'user_id'>): Promise<void> {
  await recordAuditEvent(ctx, {
    action: `account.${purpose}.link_refused`,
    outcome: 'failure',
    tenantId: tenant.id,
    ip: request.ip,
    target: token?.user_id ? { type: 'user', id: token.user_id } : null,
    details: { reason: problem, ...(token ? { token_id: token.id } : {}) },
  });
}
