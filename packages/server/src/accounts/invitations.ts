/**
 * Invitations: an admin (API or CLI) invites an address; the mailed link lets the person choose their own
 * password, which creates the account with the address verified. An invitation expires
 * (LATCHKEY_INVITATION_LIFETIME_SECONDS), can be revoked, and can be resent (a new link; the old one stops
 * working). The token lives only as a SHA-256 hash, like every other link's.
 */
import type { Latchkey } from '../context.ts';
import type { Database } from '../db/database.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { invitationQueries } from '../db/queries/invitations.ts';
import type { InvitationRow } from '../db/queries/invitations.ts';
import { Conflict, InvalidRequest, NotFound, assert } from '../errors/oauth-error.ts';
import { normalizeLogin } from '../directory/users.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { generateOpaqueToken, hashSecret } from '../tokens/opaque.ts';
import { newId } from '../util/ids.ts';
import { looksLikeEmail, tenantUrl } from './page-request.ts';

export interface InviteInput {
  readonly email: string;
  readonly firstName?: string | null | undefined;
  readonly lastName?: string | null | undefined;
  readonly role?: string | null | undefined;
}

export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

export function invitationStatus(row: InvitationRow, now: number): InvitationStatus {
  if (row.accepted_at !== null) return 'accepted';
  if (row.revoked_at !== null) return 'revoked';
  return row.expires_at <= now ? 'expired' : 'pending';
}

export function describeInvitation(row: InvitationRow, now: number) {
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    email: row.email,
    first_name: row.first_name,
    last_name: row.last_name,
    role: row.role,
    status: invitationStatus(row, now),
    invited_by: row.invited_by,
    created_at: new Date(row.created_at).toISOString(),
    sent_at: new Date(row.sent_at).toISOString(),
    expires_at: new Date(row.expires_at).toISOString(),
    accepted_at: row.accepted_at === null ? null : new Date(row.accepted_at).toISOString(),
    user_id: row.accepted_user_id,
    revoked_at: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString(),
  };
}

function optional(value: string | null | undefined, field: string, max: number): string | null {
  if (value === undefined || value === null || value.trim() === '') return null;
  assert(value.length <= max, new InvalidRequest(`${field} must be at most ${max} characters`));
  return value.trim();
}

async function queueInvitationMail(ctx: Latchkey, db: Database, tenant: Tenant, row: InvitationRow, token: string, now: number): Promise<void> {
  const link = tenantUrl(ctx, tenant, 'invitation', { token });
  const days = String(Math.max(1, Math.round(ctx.config.invitationLifetime / 86400)));
  await enqueueMail(db, { tenantId: tenant.id, to: row.email, template: 'invitation', locale: tenant.settings.default_locale, params: { tenant: tenant.name, link, days } }, now);
}

/** Creates the invitation and queues its mail, in `db` (the caller's audited transaction). */
export async function createInvitation(ctx: Latchkey, db: Database, tenant: Tenant, input: InviteInput, invitedBy: string | null, now: number): Promise<InvitationRow> {
  const email = input.email.trim();
  assert(looksLikeEmail(email), new InvalidRequest('email is not a valid address'));
  const normalized = normalizeLogin(email);
  const existing = await db.selectFrom('users').select('id').where('tenant_id', '=', tenant.id).where('email_normalized', '=', normalized).executeTakeFirst();
  assert(existing === undefined, new Conflict('a user with this email already exists in the tenant'));
  const open = await invitationQueries(db).findOpenByEmail(tenant.id, normalized);
  assert(open === undefined || open.expires_at <= now, new Conflict('this address has a pending invitation; resend or revoke it'));
  if (open !== undefined) await invitationQueries(db).revoke(open.id, now);
  const token = generateOpaqueToken(32);
  const row: InvitationRow = {
    id: newId('inv', now),
    tenant_id: tenant.id,
    email,
    email_normalized: normalized,
    first_name: optional(input.firstName, 'first_name', 200),
    last_name: optional(input.lastName, 'last_name', 200),
    role: optional(input.role, 'role', 100),
    token_hash: hashSecret(token),
    invited_by: invitedBy,
    created_at: now,
    sent_at: now,
    expires_at: now + ctx.config.invitationLifetime * 1000,
    accepted_at: null,
    accepted_user_id: null,
    revoked_at: null,
  };
  await invitationQueries(db).insert(row);
  await queueInvitationMail(ctx, db, tenant, row, token, now);
  return row;
}

export async function requireInvitation(db: Database, tenant: Tenant, id: string): Promise<InvitationRow> {
  const row = await invitationQueries(db).findById(tenant.id, id);
  if (!row) throw new NotFound('no such invitation');
  return row;
}

/** A new link and a new expiry; the old link stops working. Accepted or revoked invitations cannot be resent. */
export async function resendInvitation(ctx: Latchkey, db: Database, tenant: Tenant, id: string, now: number): Promise<InvitationRow> {
  const row = await requireInvitation(db, tenant, id);
  const token = generateOpaqueToken(32);
  const expiresAt = now + ctx.config.invitationLifetime * 1000;
  assert(await invitationQueries(db).renew(row.id, hashSecret(token), now, expiresAt), new Conflict(`the invitation is ${invitationStatus(row, now)}; only a pending or expired one can be resent`));
  const renewed = { ...row, token_hash: hashSecret(token), sent_at: now, expires_at: expiresAt };
  await queueInvitationMail(ctx, db, tenant, renewed, token, now);
  return renewed;
}

export async function revokeInvitation(db: Database, tenant: Tenant, id: string, now: number): Promise<InvitationRow> {
  const row = await requireInvitation(db, tenant, id);
  assert(await invitationQueries(db).revoke(row.id, now), new Conflict(`the invitation is already ${invitationStatus(row, now)}`));
  return { ...row, revoked_at: now };
}
