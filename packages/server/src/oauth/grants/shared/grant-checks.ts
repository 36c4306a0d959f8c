/**
 * Checks every grant exchange shares: the grant is alive (not revoked; for a grant without `offline_access`, its
 * browser session has not ended), its user is still active, the scope the client may still have, and the audit
 * of a whole family's revocation (a replay) or of a refresh retry forgiven within the reuse grace.
 */
import type { Latchkey } from '../../../context.ts';
import { grantQueries } from '../../../db/queries/grants.ts';
import type { GrantRow } from '../../../db/queries/grants.ts';
import { isSessionLive, sessionQueries } from '../../../db/queries/sessions.ts';
import { userQueries } from '../../../db/queries/users.ts';
import type { UserRow } from '../../../db/queries/users.ts';
import type { Client } from '../../../db/queries/clients.ts';
import { recordAuditEvent } from '../../../audit/audit-log.ts';
import { InvalidGrant, assert } from '../../../errors/oauth-error.ts';

/** Whether tokens of this grant may still be used or refreshed (also used by introspection). */
export async function isGrantAlive(ctx: Latchkey, grant: GrantRow | undefined): Promise<boolean> {
  if (grant === undefined || grant.revoked_at !== null) return false;
  // Without offline_access, refresh tokens live only as long as the browser session they came from.
  if (grant.offline === 0 && grant.session_id !== null) return isSessionLive(await sessionQueries(ctx.db).findById(grant.session_id), ctx.now());
  return true;
}

export async function requireLiveGrant(ctx: Latchkey, grantId: string): Promise<GrantRow> {
  const grant = await grantQueries(ctx.db).findById(grantId);
  assert(await isGrantAlive(ctx, grant), new InvalidGrant('the grant was revoked or its session has ended'));
  return grant!;
}

export async function requireActiveUser(ctx: Latchkey, grant: GrantRow): Promise<UserRow> {
  const user = await userQueries(ctx.db).findById(grant.user_id);
  assert(user !== undefined && user.status === 'active', new InvalidGrant('the user account is not active'));
  return user;
}

/** A grant outlives changes to its client: tokens issued from it carry only the scopes the client still has (issue 13). */
export function scopeTheClientStillHas(granted: readonly string[], client: Client, resourceScopes: readonly string[] = []): string[] {
  // The scopes of the API resource the token is for (RFC 8707) stay allowed: they were granted with it.
  return granted.filter((scope) => client.scopes.includes(scope) || resourceScopes.includes(scope));
}

/** Records that a refresh token presented again within the reuse grace was answered as a retry. */
export async function recordRetry(ctx: Latchkey, grant: GrantRow, action: string, ip: string, details: Record<string, unknown> = {}): Promise<void> {
  await recordAuditEvent(ctx, {
    action,
    outcome: 'success',
    tenantId: grant.tenant_id,
    actor: { type: 'client', id: grant.client_id },
    target: { type: 'grant', id: grant.id },
    ip,
    details,
  });
}

/** Revokes a grant's whole token family and records why (code or refresh-token replay). */
export async function revokeGrantFamily(ctx: Latchkey, grant: { id: string; tenant_id: string; client_id: string }, action: string, ip: string, details: Record<string, unknown> = {}): Promise<void> {
  await grantQueries(ctx.db).revoke(grant.id, ctx.now());
  await recordAuditEvent(ctx, {
    action,
    outcome: 'failure',
    tenantId: grant.tenant_id,
    actor: { type: 'client', id: grant.client_id },
    target: { type: 'grant', id: grant.id },
    ip,
    details,
  });
}
