/**
 * `/t/<tenant>/account`: the signed-in person's own page (the tenant's browser session; the page has its own
 * sign-in form when there is none). Each form posts to its own path, carries the page's CSRF token (bound to
 * the session) and ends in a redirect back to the page with a fixed notice (post/redirect/get), or the page
 * again with the error next to the form it belongs to.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import type { BrowserSession } from '../db/queries/sessions.ts';
import { accountPageQueries } from '../db/queries/account-page.ts';
import { recordAuditEvent } from '../audit/audit-log.ts';
import { signInWithPassword } from '../directory/password-sign-in.ts';
import { requireUser } from '../directory/users.ts';
import type { User } from '../directory/users.ts';
import { currentSession, endSession, startSession } from '../interaction/browser-session.ts';
import { CSRF_FIELD, issueCsrfToken, verifyCsrfToken } from '../interaction/csrf.ts';
import { sendPage } from '../interaction/layout.ts';
import { usableFactors } from '../authentication/factors.ts';
import { mayEnrol } from '../authentication/step-up.ts';
import { changePassword, confirmCurrentPassword, requestEmailChange, updateProfile } from './account-changes.ts';
import type { ChangeResult } from './account-changes.ts';
import { isEmailVerified, mustVerifyBeforeSignIn, verificationNeededMessage } from './email-verification.ts';
import { formOf, pageTenant, queryOf, requestLocale, tenantUrl } from './page-request.ts';
import type { TenantRequest } from './page-request.ts';
import { accountPage, accountSignInPage } from './pages/account-page.ts';
import { message, noticePage } from './pages/common.ts';
import type { PageMessage } from './pages/common.ts';
import { describeDevice, formatTime } from './session-display.ts';

const NOTICES: Readonly<Record<string, string>> = {
  profile: 'page.account.notice_profile',
  email: 'page.account.notice_email',
  password: 'page.account.notice_password',
  session: 'page.account.notice_session',
  others: 'page.account.notice_others',
  application: 'page.account.notice_application',
  signed_in: 'page.account.notice_signed_in',
};

interface SignedIn {
  readonly tenant: Tenant;
  readonly session: BrowserSession;
  readonly user: User;
}

async function signedIn(ctx: Latchkey, request: FastifyRequest, tenant: Tenant): Promise<SignedIn | undefined> {
  const session = await currentSession(ctx, request, tenant);
  if (session === undefined) return undefined;
  const user = await requireUser(ctx.db, tenant.id, session.user_id);
  return user.status === 'active' ? { tenant, session, user } : undefined;
}

/**
 * A user with a second factor manages the account only from a session that used it (issue 15): a password
 * alone, which may be stolen, must not change the password, the address or the sessions. Such a session goes
 * to the account security page, which asks for the factor first.
 */
async function needsSecondFactor(ctx: Latchkey, who: SignedIn): Promise<boolean> {
  return !mayEnrol(who.session, await usableFactors(ctx, who.user.id));
}

function accountUrl(ctx: Latchkey, tenant: Tenant, done?: string): string {
  return tenantUrl(ctx, tenant, 'account', done ? { done } : {});
}

function showSignIn(ctx: Latchkey, request: FastifyRequest, reply: FastifyReply, tenant: Tenant, extra: { login?: string; error?: PageMessage } = {}, status = 200) {
  return sendPage(
    reply,
    accountSignInPage({ tenantName: tenant.name, action: tenantUrl(ctx, tenant, 'account/sign-in'), csrfToken: issueCsrfToken(ctx, request, reply, tenant, 'account-sign-in', tenant.id), forgotPasswordUrl: tenantUrl(ctx, tenant, 'forgot-password'), ...extra }),
    status,
  );
}

async function showAccount(ctx: Latchkey, request: FastifyRequest, reply: FastifyReply, who: SignedIn, extra: { notice?: PageMessage; error?: { section: string; message: PageMessage } } = {}, status = 200) {
  const { tenant, session, user } = who;
  const now = ctx.now();
  const queries = accountPageQueries(ctx.db);
  const [sessions, applications] = await Promise.all([queries.liveSessions(tenant.id, user.id, now), queries.connectedApplications(tenant.id, user.id)]);
  const csrfToken = issueCsrfToken(ctx, request, reply, tenant, 'account', session.id);
  const idle = tenant.settings.session_idle_timeout * 1000;
  return sendPage(
    reply,
    accountPage({
      tenantName: tenant.name,
      base: tenantUrl(ctx, tenant, 'account'),
      csrfToken,
      user: { email: user.email, emailVerified: isEmailVerified(user), firstName: user.first_name ?? '', lastName: user.last_name ?? '', displayName: user.display_name ?? '', username: user.username ?? '' },
      sessions: sessions.map((s) => ({
        id: s.id,
        current: s.id === session.id,
        device: describeDevice(s.user_agent ?? null),
        ip: s.ip ?? 'unknown',
        signedInAt: formatTime(s.auth_time),
        // The idle deadline moves with each use (at most a minute late), so it tells when the session was last used.
        lastActive: formatTime(Math.min(now, Math.max(s.auth_time, s.expires_at - idle))),
      })),
      applications: applications.map((a) => ({ clientId: a.clientId, name: a.name, scopes: a.scopes, since: formatTime(a.since) })),
      ...extra,
    }),
    status,
  );
}

export function accountPageHandler(ctx: Latchkey) {
  return async function showAccountPage(request: TenantRequest, reply: FastifyReply) {
    const tenant = await pageTenant(ctx, request);
    const who = await signedIn(ctx, request, tenant);
    if (who === undefined) return showSignIn(ctx, request, reply, tenant);
    if (await needsSecondFactor(ctx, who)) return reply.redirect(tenantUrl(ctx, tenant, 'account/security'), 303);
    const notice = NOTICES[queryOf(request).get('done') ?? ''];
    return showAccount(ctx, request, reply, who, notice ? { notice: message(notice) } : {});
  };
}

export function accountSignInHandler(ctx: Latchkey) {
  return async function signInToAccount(request: TenantRequest, reply: FastifyReply) {
    const tenant = await pageTenant(ctx, request);
    const form = formOf(request);
    verifyCsrfToken(ctx, request, form.get(CSRF_FIELD), 'account-sign-in', tenant.id);
    const login = (form.get('login') ?? '').trim();
    const password = form.get('password') ?? '';
    if (login === '' || password === '') return showSignIn(ctx, request, reply, tenant, { login, error: message('page.login.missing_login') }, 400);
    const result = await signInWithPassword(ctx, tenant, { login, password, ip: request.ip, channel: 'account_page', clientId: 'account' });
    if (result.outcome === 'locked') {
      reply.header('Retry-After', String(result.retryAfterSeconds));
      return showSignIn(ctx, request, reply, tenant, { login, error: message('page.login.locked', { minutes: Math.ceil(result.retryAfterSeconds / 60) }) }, 429);
    }
    if (result.outcome === 'invalid') return showSignIn(ctx, request, reply, tenant, { login, error: message('page.login.invalid') }, 401);
    if (mustVerifyBeforeSignIn(tenant, result.user)) return showSignIn(ctx, request, reply, tenant, { login, error: await verificationNeededMessage(ctx, tenant, result.user, request.ip) }, 403);
    await startSession(ctx, reply, tenant, result.user.id, await currentSession(ctx, request, tenant));
    return reply.redirect(accountUrl(ctx, tenant, 'signed_in'), 303);
  };
}

type Action = (ctx: Latchkey, who: SignedIn, form: Map<string, string>, request: FastifyRequest, reply: FastifyReply) => Promise<ChangeResult & { done?: string }>;

/** The steps every account form shares: tenant, session, CSRF, the action, then redirect or the page with the error. */
function accountAction(ctx: Latchkey, section: string, action: Action) {
  return async function handleAccountForm(request: TenantRequest, reply: FastifyReply) {
    const tenant = await pageTenant(ctx, request);
    const who = await signedIn(ctx, request, tenant);
    if (who === undefined) return reply.redirect(accountUrl(ctx, tenant), 303);
    const form = formOf(request);
    verifyCsrfToken(ctx, request, form.get(CSRF_FIELD), 'account', who.session.id);
    if (await needsSecondFactor(ctx, who)) return reply.redirect(tenantUrl(ctx, tenant, 'account/security'), 303);
    const result = await action(ctx, who, form, request, reply);
    if (!result.ok) return showAccount(ctx, request, reply, { ...who, user: await requireUser(ctx.db, tenant.id, who.user.id) }, { error: { section, message: result.problem } }, result.status);
    return reply.redirect(accountUrl(ctx, tenant, result.done ?? section), 303);
  };
}

const field = (form: Map<string, string>, name: string) => (form.get(name) ?? '').trim();

export const profileHandler = (ctx: Latchkey) =>
  accountAction(ctx, 'profile', (c, who, form, request) =>
    updateProfile(c, who.tenant, who.user, { firstName: field(form, 'first_name'), lastName: field(form, 'last_name'), displayName: field(form, 'display_name'), username: field(form, 'username') }, request.ip),
  );

export const emailHandler = (ctx: Latchkey) =>
  accountAction(ctx, 'email', async (c, who, form, request) => {
    const confirmed = await confirmCurrentPassword(c, who.tenant, who.user, form.get('current_password') ?? '', request.ip);
    return confirmed.ok ? requestEmailChange(c, who.tenant, who.user, field(form, 'new_email'), request.ip, requestLocale(request)) : confirmed;
  });

export const passwordHandler = (ctx: Latchkey) =>
  accountAction(ctx, 'password', async (c, who, form, request, reply) => {
    const confirmed = await confirmCurrentPassword(c, who.tenant, who.user, form.get('current_password') ?? '', request.ip);
    if (!confirmed.ok) return confirmed;
    const changed = await changePassword(c, who.tenant, who.user, form.get('new_password') ?? '', request.ip);
    // Every session ended with the change; this browser continues in a fresh one.
    if (changed.ok) await startSession(c, reply, who.tenant, who.user.id);
    return changed;
  });

export const endSessionHandler = (ctx: Latchkey) =>
  accountAction(ctx, 'sessions', async (c, who, form, request) => {
    const target = form.get('session') ?? '';
    if (target === who.session.id) return { ok: false, problem: message('page.account.own_session'), status: 400 };
    const ended = await accountPageQueries(c.db).endSessions(who.tenant.id, who.user.id, c.now(), { only: target });
    await recordAuditEvent(c, { action: 'account.session.end', tenantId: who.tenant.id, ip: request.ip, actor: { type: 'user', id: who.user.id }, target: { type: 'session', id: target.slice(0, 100) }, details: ended });
    return ended.sessions === 0 ? { ok: false, problem: message('page.account.session_gone'), status: 404 } : { ok: true, done: 'session' };
  });

export const endOtherSessionsHandler = (ctx: Latchkey) =>
  accountAction(ctx, 'sessions', async (c, who, _form, request) => {
    const ended = await accountPageQueries(c.db).endSessions(who.tenant.id, who.user.id, c.now(), { keep: who.session.id });
    await recordAuditEvent(c, { action: 'account.session.end_others', tenantId: who.tenant.id, ip: request.ip, actor: { type: 'user', id: who.user.id }, target: { type: 'user', id: who.user.id }, details: ended });
    return { ok: true, done: 'others' };
  });

export const revokeApplicationHandler = (ctx: Latchkey) =>
  accountAction(ctx, 'applications', async (c, who, form, request) => {
    const clientId = (form.get('client_id') ?? '').slice(0, 200);
    const revoked = await c.db.transaction().execute((trx) => accountPageQueries(trx).disconnectApplication(who.tenant.id, who.user.id, clientId, c.now()));
    await recordAuditEvent(c, { action: 'account.application.revoke', tenantId: who.tenant.id, ip: request.ip, actor: { type: 'user', id: who.user.id }, target: { type: 'client', id: clientId }, details: revoked });
    return revoked.consents === 0 && revoked.grants === 0 ? { ok: false, problem: message('page.account.application_gone'), status: 404 } : { ok: true, done: 'application' };
  });

export function accountSignOutHandler(ctx: Latchkey) {
  return async function signOutOfAccount(request: TenantRequest, reply: FastifyReply) {
    const tenant = await pageTenant(ctx, request);
    const who = await signedIn(ctx, request, tenant);
    if (who === undefined) return reply.redirect(accountUrl(ctx, tenant), 303);
    verifyCsrfToken(ctx, request, formOf(request).get(CSRF_FIELD), 'account', who.session.id);
    await endSession(ctx, reply, tenant, who.session);
    await recordAuditEvent(ctx, { action: 'account.sign_out', tenantId: tenant.id, ip: request.ip, actor: { type: 'user', id: who.user.id }, target: { type: 'session', id: who.session.id } });
    return sendPage(reply, noticePage({ tenantName: tenant.name, title: message('page.account.signed_out_title'), message: message('page.account.signed_out', { tenant: tenant.name }), link: { href: accountUrl(ctx, tenant), text: message('page.account.sign_in_again') } }));
  };
}
