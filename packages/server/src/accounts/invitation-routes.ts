/** `GET|POST <issuer>/invitation?token=…`: the page an invitation's link opens, where the person sets a password. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { CSRF_FIELD, issueCsrfToken, verifyCsrfToken } from '../interaction/csrf.ts';
import { sendPage } from '../interaction/layout.ts';
import { auditRefusedLink } from './account-tokens.ts';
import { acceptInvitation, checkInvitationLink } from './invitation-acceptance.ts';
import type { InvitationCheck } from './invitation-acceptance.ts';
import type { InvitationRow } from '../db/queries/invitations.ts';
import { formOf, pageTenant, queryOf, tenantUrl } from './page-request.ts';
import type { TenantRequest } from './page-request.ts';
import { linkProblemPage, message, noticePage } from './pages/common.ts';
import type { PageMessage } from './pages/common.ts';
import { takenPage } from './sign-up-routes.ts';
import { invitationPage } from './pages/invitation-page.ts';

async function refuse(ctx: Latchkey, request: FastifyRequest, reply: FastifyReply, tenant: Tenant, check: Extract<InvitationCheck, { ok: false }>) {
  await auditRefusedLink(ctx, request, tenant, 'invitation', check.problem, check.invitation ? { id: check.invitation.id, user_id: check.invitation.accepted_user_id } : undefined);
  return sendPage(reply, linkProblemPage(tenant.name, check.problem), 400);
}

function showForm(ctx: Latchkey, request: FastifyRequest, reply: FastifyReply, tenant: Tenant, invitation: InvitationRow, token: string, values: { firstName: string; lastName: string }, error?: PageMessage, status = 200) {
  return sendPage(
    reply,
    invitationPage({
      tenantName: tenant.name,
      action: tenantUrl(ctx, tenant, 'invitation'),
      csrfToken: issueCsrfToken(ctx, request, reply, tenant, 'invitation', invitation.id),
      token,
      email: invitation.email,
      minLength: tenant.settings.password_policy.min_length,
      ...values,
      ...(error ? { error } : {}),
    }),
    status,
  );
}

export function invitationPageHandler(ctx: Latchkey) {
  return async function showInvitation(request: TenantRequest, reply: FastifyReply) {
    const tenant = await pageTenant(ctx, request);
    const raw = queryOf(request).get('token');
    const check = await checkInvitationLink(ctx, tenant, raw);
    if (!check.ok) return refuse(ctx, request, reply, tenant, check);
    return showForm(ctx, request, reply, tenant, check.invitation, raw!, { firstName: check.invitation.first_name ?? '', lastName: check.invitation.last_name ?? '' });
  };
}

export function invitationSubmitHandler(ctx: Latchkey) {
  return async function submitInvitation(request: TenantRequest, reply: FastifyReply) {
    const tenant = await pageTenant(ctx, request);
    const form = formOf(request);
    const raw = form.get('token');
    const check = await checkInvitationLink(ctx, tenant, raw);
    if (!check.ok) return refuse(ctx, request, reply, tenant, check);
    verifyCsrfToken(ctx, request, form.get(CSRF_FIELD), 'invitation', check.invitation.id);
    const values = { firstName: (form.get('first_name') ?? '').trim().slice(0, 200), lastName: (form.get('last_name') ?? '').trim().slice(0, 200) };
    const result = await acceptInvitation(ctx, tenant, check.invitation, { ...values, password: form.get('password') ?? '' }, request.ip);
    if (result.outcome === 'weak') return showForm(ctx, request, reply, tenant, check.invitation, raw!, values, result.problem, 400);
    if (result.outcome === 'used') return refuse(ctx, request, reply, tenant, { ok: false, problem: 'used', invitation: check.invitation });
    if (result.outcome === 'taken') {
      return sendPage(reply, takenPage(ctx, tenant), 409);
    }
    return sendPage(reply, noticePage({ tenantName: tenant.name, title: message('page.invitation.done_title'), message: message('page.invitation.done', { email: check.invitation.email }), link: { href: tenantUrl(ctx, tenant, 'account'), text: message('page.invitation.go_to_account') } }));
  };
}
