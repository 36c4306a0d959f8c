/**
 * /admin/v1/tenants/{tenant}/invitations: invite a person by email (the mailed link lets them choose their
 * password), list invitations, resend one (a new link, a new expiry) or revoke it; and
 * /users/{userId}/verification-email, which mails a user a link to confirm their address. Each change commits
 * with its audit event and its mail (the outbox), or not at all.
 */
import { authorizeNewUser, authorizeOnUser } from './admin-authority.ts';
import { adminRoute, pageRequest, pageResponse } from './admin-route.ts';
import type { ListQuery } from './admin-route.ts';
import { auditedChange } from './audited-change.ts';
import { dateTime, listQuery, named, nullableDateTime, nullableString, object, pageOf, pathParams, string } from './json-schema.ts';
import { tenantInPath } from './tenant-scope.ts';
import type { TenantParams } from './tenant-scope.ts';
import { invitationQueries } from '../db/queries/invitations.ts';
import { createInvitation, describeInvitation, requireInvitation, resendInvitation, revokeInvitation } from '../accounts/invitations.ts';
import { queueVerificationMail } from '../accounts/email-verification.ts';
import { requireUser } from '../directory/users.ts';
import { InvalidRequest, assert } from '../errors/oauth-error.ts';

export const InvitationSchema = named(
  'Invitation',
  object({
    id: string(), tenant_id: string(), email: string(), first_name: nullableString(), last_name: nullableString(),
    role: nullableString({ description: 'the primary role name the account gets' }),
    status: { type: 'string', enum: ['pending', 'accepted', 'revoked', 'expired'] },
    invited_by: nullableString({ description: 'the admin (user or client id) who invited' }),
    created_at: dateTime, sent_at: { ...dateTime, description: 'when the current link was mailed' }, expires_at: dateTime,
    accepted_at: nullableDateTime, user_id: nullableString({ description: 'the account made by accepting' }), revoked_at: nullableDateTime,
  }),
);
const InvitationInput = object(
  { email: string({ maxLength: 320 }), first_name: nullableString({ maxLength: 200 }), last_name: nullableString({ maxLength: 200 }), role: nullableString({ maxLength: 100 }) },
  ['first_name', 'last_name', 'role'],
);
interface InvitationBody { email: string; first_name?: string | null; last_name?: string | null; role?: string | null }
type InvitationParams = TenantParams & { invitationId: string };
const VerificationSchema = named('VerificationEmail', object({ email: string({ description: 'where the link was mailed' }) }));
const tag = 'Invitations';

export const invitationRoutes = [
  adminRoute<TenantParams, ListQuery>({
    method: 'GET', path: '/tenants/:tenant/invitations', operationId: 'listInvitations', summary: 'List invitations (every status)', tag,
    params: pathParams('tenant'), query: listQuery(), status: 200, response: pageOf('InvitationPage', InvitationSchema),
    async handle({ ctx, principal, params, query }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const now = ctx.now();
      return pageResponse(await invitationQueries(ctx.db).list(tenant.id, pageRequest(query)), (row) => describeInvitation(row, now));
    },
  }),
  adminRoute<TenantParams, Record<string, never>, InvitationBody>({
    method: 'POST', path: '/tenants/:tenant/invitations', operationId: 'createInvitation', summary: 'Invite a person by email: they get a link to choose their password', tag,
    params: pathParams('tenant'), body: InvitationInput, status: 201, response: InvitationSchema,
    async handle(call) {
      const { ctx, principal, params, body } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      authorizeNewUser(principal, null);
      const now = ctx.now();
      const row = await auditedChange(
        call,
        (db) => createInvitation(ctx, db, tenant, { email: body.email, firstName: body.first_name, lastName: body.last_name, role: body.role }, principal.id, now),
        (r) => ({ action: 'invitation.create', tenantId: tenant.id, target: { type: 'invitation', id: r.id }, details: { email: r.email } }),
      );
      ctx.mail.wake();
      return describeInvitation(row, now);
    },
  }),
  adminRoute<InvitationParams>({
    method: 'GET', path: '/tenants/:tenant/invitations/:invitationId', operationId: 'getInvitation', summary: 'Read an invitation', tag,
    params: pathParams('tenant', 'invitationId'), status: 200, response: InvitationSchema,
    async handle({ ctx, principal, params }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      return describeInvitation(await requireInvitation(ctx.db, tenant, params.invitationId), ctx.now());
    },
  }),
  adminRoute<InvitationParams>({
    method: 'POST', path: '/tenants/:tenant/invitations/:invitationId/resend', operationId: 'resendInvitation', summary: 'Mail a new link (the old one stops working) with a new expiry', tag,
    params: pathParams('tenant', 'invitationId'), status: 200, response: InvitationSchema,
    async handle(call) {
      const { ctx, principal, params } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const now = ctx.now();
      const row = await auditedChange(call, (db) => resendInvitation(ctx, db, tenant, params.invitationId, now), (r) => ({ action: 'invitation.resend', tenantId: tenant.id, target: { type: 'invitation', id: r.id } }));
      ctx.mail.wake();
      return describeInvitation(row, now);
    },
  }),
  adminRoute<InvitationParams>({
    method: 'POST', path: '/tenants/:tenant/invitations/:invitationId/revoke', operationId: 'revokeInvitation', summary: 'Withdraw an invitation: its link stops working', tag,
    params: pathParams('tenant', 'invitationId'), status: 200, response: InvitationSchema,
    async handle(call) {
      const { ctx, principal, params } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const now = ctx.now();
      const row = await auditedChange(call, (db) => revokeInvitation(db, tenant, params.invitationId, now), (r) => ({ action: 'invitation.revoke', tenantId: tenant.id, target: { type: 'invitation', id: r.id } }));
      return describeInvitation(row, now);
    },
  }),
  adminRoute<TenantParams & { userId: string }>({
    method: 'POST', path: '/tenants/:tenant/users/:userId/verification-email', operationId: 'sendVerificationEmail', tag: 'Users',
    summary: "Mail the user a link to confirm their email address (email_verified becomes true when it is used)",
    params: pathParams('tenant', 'userId'), status: 202, response: VerificationSchema,
    async handle(call) {
      const { ctx, principal, params } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const now = ctx.now();
      const user = await auditedChange(
        call,
        async (db) => {
          const target = await requireUser(db, tenant.id, params.userId);
          await authorizeOnUser(db, principal, target);
          assert(target.kind === 'person' && target.email !== null, new InvalidRequest('the user has no email address'));
          await queueVerificationMail(ctx, db, tenant, target, now);
          return target;
        },
        (u) => ({ action: 'account.email_verification.sent', tenantId: tenant.id, target: { type: 'user', id: u.id } }),
      );
      ctx.mail.wake();
      return { email: user.email ?? '' };
    },
  }),
];
