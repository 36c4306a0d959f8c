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
import { formOf, interactionParam, looksLikeEmail, pageTenant, queryOf, signInUrl, tenantUrl } from './page-request.ts';
import type { TenantRequest } from './page-request.ts';
import { completeRegistration, registerSignUp, signUpProblem } from './registration.ts';
import { linkProblemPage, noticePage } from './pages/common.ts';
import { confirmPage, signUpPage } from './pages/sign-up-pages.ts';

const CONFIRMABLE = ['registration', 'email_verification', 'email_change'] as const;

function requireRegistration(tenant: Tenant): void {
  if (!tenant.settings.features.auth.registration_enabled) throw new NotFound('this organization does not offer sign-up; ask its administrator for an invitation');
}

function showSignUp(ctx: Latchkey, request: FastifyRequest, reply: FastifyReply, tenant: Tenant, interaction: string | undefined, values: { email?: string; firstName?: string; lastName?: string }, error?: string, status = 200) {
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
    if (!looksLikeEmail(input.email)) return showSignUp(ctx, request, reply, tenant, interaction, values, 'Enter an email address, like name@example.com.', 400);
    const problem = await signUpProblem(tenant, input);
    if (problem) return showSignUp(ctx, request, reply, tenant, interaction, values, problem, 400);
    const limit = await consumeAccountMailLimit(ctx, tenant, input.email, request.ip);
    if (!limit.allowed) {
      reply.header('Retry-After', String(limit.retryAfterSeconds));
      return showSignUp(ctx, request, reply, tenant, interaction, values, waitMessage(limit.retryAfterSeconds), 429);
    }
    await registerSignUp(ctx, tenant, input, request.ip);
    return sendPage(reply, noticePage({ tenantName: tenant.name, title: 'Check your mail', message: `We sent a mail to ${input.email} with what to do next. If it does not arrive within a few minutes, look in your spam folder.` }));
  };
}

const CONFIRM_TEXT: Record<string, { title: string; message: string; button: string }> = {
  registration: { title: 'Confirm your email address', message: 'Confirm this address to finish creating your account.', button: 'Confirm and create my account' },
  email_verification: { title: 'Confirm your email address', message: 'Confirm that this is your email address.', button: 'Confirm my email address' },
  email_change: { title: 'Confirm your new email address', message: 'Confirm to start using this address for your account.', button: 'Confirm my new address' },
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
      confirmPage({ tenantName: tenant.name, action: tenantUrl(ctx, tenant, 'verify-email'), csrfToken: issueCsrfToken(ctx, request, reply, tenant, 'verify-email', check.token.id), token: raw!, ...text, message: `${text.message} (${check.token.email ?? ''})` }),
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
        return sendPage(reply, noticePage({ tenantName: tenant.name, title: 'You already have an account', message: 'An account with this address exists already, so no new one was created. Sign in with it, or reset its password.', link: { href: tenantUrl(ctx, tenant, 'forgot-password'), text: 'Reset the password' } }), 409);
      }
      const interaction = interactionParam((JSON.parse(token.data) as { interaction?: string }).interaction);
      const back = signInUrl(ctx, tenant, interaction);
      return sendPage(reply, noticePage({ tenantName: tenant.name, title: 'Your account is ready', message: 'Your email address is confirmed and your account is created. Sign in with your email address and password.', ...(back ? { link: { href: back, text: 'Continue to sign in' } } : {}) }));
    }
    const outcome = await confirmEmail(ctx, tenant, token, request.ip);
    if (outcome === 'used') return refuseLink(ctx, request, reply, tenant, { ok: false, problem: 'used' }, token);
    if (outcome === 'stale') {
      await auditRefusedLink(ctx, request, tenant, token.purpose, 'unknown', token);
      return sendPage(reply, noticePage({ tenantName: tenant.name, title: 'This link does not work', message: 'This address is no longer the one on your account, or another account uses it now. Nothing was changed.', alert: true }), 400);
    }
    return sendPage(reply, noticePage({ tenantName: tenant.name, title: 'Email address confirmed', message: `${token.email ?? 'Your address'} is confirmed. You can close this page.` }));
  };
}
