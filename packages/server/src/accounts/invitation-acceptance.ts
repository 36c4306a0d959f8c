/**
 * Accepting an invitation through its link: the person chooses their password (the tenant's password policy),
 * the account is created with the invited address verified, and the invitation is marked accepted, all in one
 * transaction, so a link used twice at once creates one account.
 */
import type { PageMessage } from '../interaction/pages/login-page.ts';
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { invitationQueries } from '../db/queries/invitations.ts';
import type { InvitationRow } from '../db/queries/invitations.ts';
import { insertAuditEvent } from '../audit/audit-log.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { Conflict } from '../errors/oauth-error.ts';
import { hashPassword } from '../directory/passwords.ts';
import { createUser } from '../directory/users.ts';
import { hashSecret } from '../tokens/opaque.ts';
import { TOKEN_SHAPE } from './account-tokens.ts';
import type { LinkProblem } from './account-tokens.ts';
import { passwordPolicyProblem } from './password-policy.ts';

export type InvitationCheck = { readonly ok: true; readonly invitation: InvitationRow } | { readonly ok: false; readonly problem: LinkProblem; readonly invitation?: InvitationRow };

export async function checkInvitationLink(ctx: Latchkey, tenant: Tenant, raw: string | undefined): Promise<InvitationCheck> {
  if (raw === undefined || raw === '') return { ok: false, problem: 'missing' };
  if (!TOKEN_SHAPE.test(raw)) return { ok: false, problem: 'unknown' };
  const invitation = await invitationQueries(ctx.db).findByTokenHash(hashSecret(raw));
  if (invitation === undefined || invitation.tenant_id !== tenant.id) return { ok: false, problem: 'unknown' };
  if (invitation.accepted_at !== null) return { ok: false, problem: 'used', invitation };
  if (invitation.revoked_at !== null) return { ok: false, problem: 'revoked', invitation };
  if (invitation.expires_at <= ctx.now()) return { ok: false, problem: 'expired', invitation };
  return { ok: true, invitation };
}

export interface Acceptance {
  readonly firstName: string;
  readonly lastName: string;
  readonly password: string;
}

export type AcceptOutcome = { readonly outcome: 'accepted'; readonly userId: string } | { readonly outcome: 'weak'; readonly problem: PageMessage } | { readonly outcome: 'used' } | { readonly outcome: 'taken' };

export async function acceptInvitation(ctx: Latchkey, tenant: Tenant, invitation: InvitationRow, input: Acceptance, ip: string): Promise<AcceptOutcome> {
  const problem = await passwordPolicyProblem(input.password, tenant.settings.password_policy, { email: invitation.email, firstName: input.firstName, lastName: input.lastName, tenantName: tenant.name });
  if (problem) return { outcome: 'weak', problem };
  const passwordHash = await hashPassword(input.password);
  const now = ctx.now();
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      if (!(await invitationQueries(trx).accept(invitation.id, now))) throw new UsedInvitation();
      const user = await createUser(ctx, tenant, { email: invitation.email, firstName: input.firstName || null, lastName: input.lastName || null, role: invitation.role }, trx);
      await invitationQueries(trx).recordAcceptedUser(invitation.id, user.id);
      await trx.updateTable('users').set({ password_hash: passwordHash, email_verified_at: now }).where('id', '=', user.id).execute();
      await insertAuditEvent(trx, { action: 'invitation.accept', tenantId: tenant.id, ip, actor: { type: 'user', id: user.id }, target: { type: 'invitation', id: invitation.id }, details: { user_id: user.id } }, now);
      return { outcome: 'accepted', userId: user.id } as const;
    });
  } catch (error) {
    if (error instanceof UsedInvitation) return { outcome: 'used' };
    if (error instanceof Conflict || isUniqueViolation(error)) return { outcome: 'taken' };
    throw error;
  }
}

/** Rolls the account back when the invitation was accepted, revoked or expired meanwhile. */
class UsedInvitation extends Error {}
