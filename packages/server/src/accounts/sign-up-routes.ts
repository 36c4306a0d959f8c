/**
 * `GET|POST <issuer>/sign-up` (when the tenant allows it) and `GET|POST <issuer>/verify-email?token=…`, which
 * confirms a sign-up, an email change or a verification; the link opens a page with one button.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { NotFound } from '../errors/oauth-error.ts';
import { CSRF_FIELD, issueCsrfToken, verifyCsrfToken } from '../interaction/csrf.ts';
import { sendPage } from '../interaction/layout.ts';
import { auditRefusedLink, checkAccountToken } from './account-tokens.ts';
import type { LinkCheck } from './account-tokens.ts';
import type { AccountTokenRow } from '../db/queries/account-tokens.ts';
import { confirmEmail } from './email-verification.ts';
import { consumeAccountMailLimit, waitMessage } from './mail-limits.ts';
import { requestLocale, formOf, interactionParam, looksLikeEmail, pageTenant, queryOf, signInUrl, tenantUrl } from './page-request.ts';
import type { TenantRequest } from './page-request.ts';
import { completeRegistration, registerSignUp, signUpProblem } from './registration.ts';
import { checkMailPage, linkProblemPage, message, noticePage } from './pages/common.ts';
import type { PageMessage } from './pages/common.ts';
import { confirmPage, signUpPage } from './pages/sign-up-pages.ts';

/** The page for a link that would create an account an address already has. */
export function takenPage(ctx: Latchkey, tenant: Tenant) {
  return noticePage({ tenantName: tenant.name, title: message('page.self_service.taken_title'), message: message('page.self_service.taken'), link: { href: tenantUrl(ctx, tenant, 'forgot-password'), text: message('page.self_service.reset_link') } });
}

const CONFIRMABLE = ['registration', 'email_verification', 'email_change'] as const;

function requireRegistration(tenant: Tenant): void {
  if (!tenant.settings.features.auth.registration_enabled) throw new NotFound('this organization does not offer sign-up; ask its administrator for an invitation');
}

function showSignUp(ctx: Latchkey, request: FastifyRequest, reply: FastifyReply, tenant: Tenant, interaction: string | undefined, values: { email?: string; firstName?: string; lastName?: string }, error?: PageMessage, status = 200) {
  const back = signInUrl(ctx, tenant, interaction);
  return sendPage(
    reply,
    signUpPage({
      tenantName: tenant.name,
      action: tenantUrl(ctx, tenant, 'sign-up'),
      csrfToken: issueCsrfToken(ctx, request, reply, tenant, 'sign-up', tenant.id),
      values,
      minLength: tenant.settings.password_policy.min_length,
      allowedDomains: tenant.settings.features.auth.registration_allowed_domains,
      ...(interaction ? { interaction } : {}),
      ...(back ? { signInUrl: back } : {}),
      ...(error ? { error } : {}),
    }),
    status,
  );
}

export function signUpPageHandler(ctx: Latchkey) {
  return async function showSignUpPage(request: TenantRequest, reply: FastifyReply) {
    const tenant = await pageTenant(ctx, request);
    requireRegistration(tenant);
    return showSignUp(ctx, request, reply, tenant, interactionParam(queryOf(request).get('interaction')), {});
  };
}

export function signUpSubmitHandler(ctx: Latchkey) {
  return async function submitSignUp(request: TenantRequest, reply: FastifyReply) {
    const tenant = await pageTenant(ctx, request);
    requireRegistration(tenant);
    const form = formOf(request);
    verifyCsrfToken(ctx, request, form.get(CSRF_FIELD), 'sign-up', tenant.id);
    const interaction = interactionParam(form.get('interaction'));
    const input = {
      email: (form.get('email') ?? '').trim(),
      firstName: (form.get('first_name') ?? '').trim().slice(0, 200),
      lastName: (form.get('last_name') ?? '').trim().slice(0, 200),
      password: form.get('password') ?? '',
      ...(interaction ? { interaction } : {}),
    };
    const values = { email: input.email, firstName: input.firstName, lastName: input.lastName };
    if (!looksLikeEmail(input.email)) return showSignUp(ctx, request, reply, tenant, interaction, values, message('page.self_service.enter_email'), 400);
    const problem = await signUpProblem(tenant, input);
    if (problem) return showSignUp(ctx, request, reply, tenant, interaction, values, problem, 400);
    const limit = await consumeAccountMailLimit(ctx, tenant, input.email, request.ip);
    if (!limit.allowed) {
      reply.header('Retry-After', String(limit.retryAfterSeconds));
      return showSignUp(ctx, request, reply, tenant, interaction, values, waitMessage(limit.retryAfterSeconds), 429);
    }
    await registerSignUp(ctx, tenant, input, request.ip, requestLocale(request));
    return sendPage(reply, checkMailPage(tenant.name, input.email));
  };
}

const CONFIRM_TEXT: Record<string, { title: string; message: string; button: string }> = {
  registration: { title: 'page.confirm.registration_title', message: 'page.confirm.registration', button: 'page.confirm.registration_button' },
  email_verification: { title: 'page.confirm.verification_title', message: 'page.confirm.verification', button: 'page.confirm.verification_button' },
  email_change: { title: 'page.confirm.change_title', message: 'page.confirm.change', button: 'page.confirm.change_button' },
};

async function refuseLink(ctx: Latchkey, request: FastifyRequest, reply: FastifyReply, tenant: Tenant, check: Extract<LinkCheck, { ok: false }>, token?: AccountTokenRow) {
  await auditRefusedLink(ctx, request, tenant, token?.purpose ?? 'email_verification', check.problem, token);
  return sendPage(reply, linkProblemPage(tenant.name, check.problem), 400);
}

export function verifyEmailPageHandler(ctx: Latchkey) {
  return async function showVerifyEmail(request: TenantRequest, reply: FastifyReply) {
    const tenant = await pageTenant(ctx, request);
    const raw = queryOf(request).get('token');
    const check = await checkAccountToken(ctx, tenant, CONFIRMABLE, raw);
    if (!check.ok) return refuseLink(ctx, request, reply, tenant, check);
    const text = CONFIRM_TEXT[check.token.purpose]!;
    return sendPage(
      reply,
      confirmPage({ tenantName: tenant.name, action: tenantUrl(ctx, tenant, 'verify-email'), csrfToken: issueCsrfToken(ctx, request, reply, tenant, 'verify-email', check.token.id), token: raw!, title: message(text.title), message: message(text.message, { email: check.token.email ?? '' }), button: message(text.button) }),
    );
  };
}

export function verifyEmailSubmitHandler(ctx: Latchkey) {
  return async function submitVerifyEmail(request: TenantRequest, reply: FastifyReply) {
    const tenant = await pageTenant(ctx, request);
    const form = formOf(request);
    const check = await checkAccountToken(ctx, tenant, CONFIRMABLE, form.get('token'));
    if (!check.ok) return refuseLink(ctx, request, reply, tenant, check);
    verifyCsrfToken(ctx, request, form.get(CSRF_FIELD), 'verify-email', check.token.id);
    const token = check.token;
    if (token.purpose === 'registration') {
      const result = await completeRegistration(ctx, tenant, token, request.ip);
      if (result.outcome === 'used') return refuseLink(ctx, request, reply, tenant, { ok: false, problem: 'used' }, token);
      if (result.outcome === 'taken') {
        return sendPage(reply, takenPage(ctx, tenant), 409);
      }
      const interaction = interactionParam((JSON.parse(token.data) as { interaction?: string }).interaction);
      const back = signInUrl(ctx, tenant, interaction);
      return sendPage(reply, noticePage({ tenantName: tenant.name, title: message('page.sign_up.done_title'), message: message('page.sign_up.done'), ...(back ? { link: { href: back, text: message('page.sign_up.continue') } } : {}) }));
    }
    const outcome = await confirmEmail(ctx, tenant, token, request.ip);
    if (outcome === 'used') return refuseLink(ctx, request, reply, tenant, { ok: false, problem: 'used' }, token);
    if (outcome === 'stale') {
      await auditRefusedLink(ctx, request, tenant, token.purpose, 'unknown', token);
      return sendPage(reply, linkProblemPage(tenant.name, 'stale'), 400);
    }
    return sendPage(reply, noticePage({ tenantName: tenant.name, title: message('page.confirm.done_title'), message: message('page.confirm.done', { email: token.email ?? '' }) }));
  };
}
