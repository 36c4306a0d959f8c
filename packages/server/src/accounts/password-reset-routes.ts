/**
 * `GET|POST <issuer>/forgot-password` (ask for a link) and `GET|POST <issuer>/reset-password?token=…` (choose
 * the new password). GET never uses the token (mail scanners prefetch links); every form carries a CSRF token.
 */
import type { FastifyReply } from 'fastify';
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { requireUser } from '../directory/users.ts';
import { CSRF_FIELD, issueCsrfToken, verifyCsrfToken } from '../interaction/csrf.ts';
import { sendPage } from '../interaction/layout.ts';
import type { FastifyRequest } from 'fastify';
import { auditRefusedLink, checkAccountToken } from './account-tokens.ts';
import type { LinkCheck } from './account-tokens.ts';
import { consumeAccountMailLimit, waitMessage } from './mail-limits.ts';
import { requestLocale, formOf, interactionParam, looksLikeEmail, pageTenant, queryOf, signInUrl, tenantUrl } from './page-request.ts';
import type { TenantRequest } from './page-request.ts';
import { completePasswordReset, requestPasswordReset } from './password-reset.ts';
import { checkMailPage, linkProblemPage, message, noticePage } from './pages/common.ts';
import type { PageMessage } from './pages/common.ts';
import { forgotPasswordPage, resetPasswordPage } from './pages/password-reset-pages.ts';

function showForgotForm(ctx: Latchkey, request: FastifyRequest, reply: FastifyReply, tenant: Tenant, interaction: string | undefined, extra: { email?: string; error?: PageMessage }, status = 200) {
  const back = signInUrl(ctx, tenant, interaction);
  return sendPage(
    reply,
    forgotPasswordPage({
      tenantName: tenant.name,
      action: tenantUrl(ctx, tenant, 'forgot-password'),
      csrfToken: issueCsrfToken(ctx, request, reply, tenant, 'forgot-password', tenant.id),
      ...(interaction ? { interaction } : {}),
      ...(back ? { signInUrl: back } : {}),
      ...extra,
    }),
    status,
  );
}

export function forgotPasswordPageHandler(ctx: Latchkey) {
  return async function showForgotPassword(request: TenantRequest, reply: FastifyReply) {
    const tenant = await pageTenant(ctx, request);
    return showForgotForm(ctx, request, reply, tenant, interactionParam(queryOf(request).get('interaction')), {});
  };
}

export function forgotPasswordSubmitHandler(ctx: Latchkey) {
  return async function submitForgotPassword(request: TenantRequest, reply: FastifyReply) {
    const tenant = await pageTenant(ctx, request);
    const form = formOf(request);
    verifyCsrfToken(ctx, request, form.get(CSRF_FIELD), 'forgot-password', tenant.id);
    const interaction = interactionParam(form.get('interaction'));
    const email = (form.get('email') ?? '').trim();
    if (!looksLikeEmail(email)) return showForgotForm(ctx, request, reply, tenant, interaction, { email, error: message('page.self_service.enter_email') }, 400);
    const limit = await consumeAccountMailLimit(ctx, tenant, email, request.ip);
    if (!limit.allowed) {
      reply.header('Retry-After', String(limit.retryAfterSeconds));
      return showForgotForm(ctx, request, reply, tenant, interaction, { email, error: waitMessage(limit.retryAfterSeconds) }, 429);
    }
    await requestPasswordReset(ctx, tenant, email, { ip: request.ip, locale: requestLocale(request) });
    const back = signInUrl(ctx, tenant, interaction);
    return sendPage(reply, checkMailPage(tenant.name, email, back));
  };
}

async function refuseLink(ctx: Latchkey, request: FastifyRequest, reply: FastifyReply, tenant: Tenant, check: Extract<LinkCheck, { ok: false }>) {
  await auditRefusedLink(ctx, request, tenant, 'password_reset', check.problem);
  return sendPage(reply, linkProblemPage(tenant.name, check.problem, tenantUrl(ctx, tenant, 'forgot-password')), 400);
}

export function resetPasswordPageHandler(ctx: Latchkey) {
  return async function showResetPassword(request: TenantRequest, reply: FastifyReply) {
    const tenant = await pageTenant(ctx, request);
    const raw = queryOf(request).get('token');
    const check = await checkAccountToken(ctx, tenant, 'password_reset', raw);
    if (!check.ok) return refuseLink(ctx, request, reply, tenant, check);
    return sendPage(
      reply,
      resetPasswordPage({ tenantName: tenant.name, action: tenantUrl(ctx, tenant, 'reset-password'), csrfToken: issueCsrfToken(ctx, request, reply, tenant, 'reset-password', check.token.id), token: raw!, email: check.token.email ?? '' }),
    );
  };
}

export function resetPasswordSubmitHandler(ctx: Latchkey) {
  return async function submitResetPassword(request: TenantRequest, reply: FastifyReply) {
    const tenant = await pageTenant(ctx, request);
    const form = formOf(request);
    const raw = form.get('token');
    const check = await checkAccountToken(ctx, tenant, 'password_reset', raw);
    if (!check.ok) return refuseLink(ctx, request, reply, tenant, check);
    verifyCsrfToken(ctx, request, form.get(CSRF_FIELD), 'reset-password', check.token.id);
    const user = await requireUser(ctx.db, tenant.id, check.token.user_id ?? '');
    const result = await completePasswordReset(ctx, tenant, check.token, user, form.get('password') ?? '', request.ip);
    if (result.outcome === 'used') return refuseLink(ctx, request, reply, tenant, { ok: false, problem: 'used' });
    if (result.outcome === 'weak') {
      const page = resetPasswordPage({ tenantName: tenant.name, action: tenantUrl(ctx, tenant, 'reset-password'), csrfToken: issueCsrfToken(ctx, request, reply, tenant, 'reset-password', check.token.id), token: raw!, email: check.token.email ?? '', error: result.problem });
      return sendPage(reply, page, 400);
    }
    return sendPage(
      reply,
      noticePage({ tenantName: tenant.name, title: message('page.reset.done_title'), message: message('page.reset.done') }),
    );
  };
}
