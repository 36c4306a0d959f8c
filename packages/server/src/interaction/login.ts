/**
 * The hosted sign-in page: `GET <issuer>/login?interaction=…` shows the form, `POST <issuer>/login` checks the
 * CSRF token, the brute-force limits and the password, starts the browser session and continues the
 * authorization (to consent or straight back to the client).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import { interactionQueries } from '../db/queries/interactions.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import type { Client } from '../db/queries/clients.ts';
import { signInWithPassword } from '../directory/password-sign-in.ts';
import { requireTenantBySlug } from '../directory/tenants.ts';
import { issuerFor } from '../directory/tenant-directory.ts';
import { AccessDenied } from '../errors/oauth-error.ts';
import { readBodyParams, readQueryParams } from '../oauth/request-params.ts';
import { currentSession, startSession } from './browser-session.ts';
import { CSRF_FIELD, issueCsrfToken, verifyCsrfToken } from './csrf.ts';
import { requireInteraction } from './interactions.ts';
import type { Interaction } from './interactions.ts';
import { formTargetFor, sendPage } from './layout.ts';
import { readLastLogin, rememberLastLogin } from './last-login.ts';
import { loginPage } from './pages/login-page.ts';
import { beginPasskeyAuthentication, relyingPartyOf } from '../authentication/passkeys.ts';
import type { LoginField, PageMessage } from './pages/login-page.ts';
import { selfServiceLinks } from '../accounts/sign-in-links.ts';
import { mustVerifyBeforeSignIn, verificationNeededMessage } from '../accounts/email-verification.ts';
import { rememberPageTenant } from './page-errors.ts';
import { abandonAuthorization, requireInteractionClient, resumeAuthorization } from './resume.ts';
import { connectionForHint, connectionForLogin, linkPendingIdentity, pendingLinkName, signInOptions } from '../federation/sign-in-options.ts';
import { sendUpstream } from '../federation/routes.ts';
import { unmarkFederatedSession } from '../federation/session-claims.ts';

type TenantRequest = FastifyRequest<{ Params: { tenant: string } }>;

export const INVALID_CREDENTIALS: PageMessage = { key: 'page.login.invalid' };

function lockoutMessage(retryAfterSeconds: number): PageMessage {
  return { key: 'page.login.locked', values: { minutes: Math.ceil(retryAfterSeconds / 60) } };
}

interface FormState {
  tenant: Tenant;
  client: Client;
  interaction: Interaction;
  login?: string;
  error?: PageMessage;
  fieldErrors?: Partial<Record<LoginField, PageMessage>>;
}

async function showForm(ctx: Latchkey, request: FastifyRequest, reply: FastifyReply, page: FormState, status = 200) {
  const csrfToken = issueCsrfToken(ctx, request, reply, page.tenant, 'login', page.interaction.id);
  const target = formTargetFor(page.interaction.authz.redirectUri);
  const rp = relyingPartyOf(ctx);
  const issuer = issuerFor(ctx.config.baseUrl, page.tenant.slug);
  const ceremony = rp !== undefined && page.tenant.settings.mfa.allowed_factors.includes('passkey') ? await beginPasskeyAuthentication(ctx, page.tenant, undefined, rp) : undefined;
  const linking = await pendingLinkName(ctx, page.tenant, page.interaction.idHash);
  const federation = await signInOptions(ctx, page.tenant);
  return sendPage(
    reply,
    loginPage({
      tenantName: page.tenant.name,
      clientName: page.client.name,
      action: `${issuer}/login`,
      interactionId: page.interaction.id,
      csrfToken,
      connections: federation.buttons.map((button) => ({ ...button, action: `${issuer}/federation/${button.slug}/start` })),
      ...(linking === undefined ? {} : { linking }),
      ...(page.login === undefined ? {} : { login: page.login }),
      ...(page.error === undefined ? {} : { error: page.error }),
      ...(page.fieldErrors === undefined ? {} : { fieldErrors: page.fieldErrors }),
      formTargets: [...(target === undefined ? [] : [target]), ...federation.formTargets],
      uiLocales: page.interaction.authz.uiLocales,
      clientLogoUri: page.client.logoUri,
      clientPolicyUri: page.client.policyUri,
      clientTosUri: page.client.tosUri,
      ...(ceremony ? { passkey: { action: `${issuer}/login/passkey`, challengeId: ceremony.challengeId, options: ceremony.options } } : {}),
      ...selfServiceLinks(ctx, page.tenant, page.interaction.id),
    }),
    status,
  );
}

export function loginPageHandler(ctx: Latchkey) {
  return async function showLogin(request: TenantRequest, reply: FastifyReply) {
    const tenant = await requireTenantBySlug(ctx, request.params.tenant);
    rememberPageTenant(request, tenant);
    const interaction = await requireInteraction(ctx, tenant, readQueryParams(request.url).get('interaction'));
    const client = await requireInteractionClient(ctx, interaction);
    // idp_hint (kc_idp_hint): straight to the named connection, as Keycloak does; an unknown one shows the page.
    const hinted = await connectionForHint(ctx, tenant, interaction.authz.idpHint);
    if (hinted !== undefined) return sendUpstream(ctx, reply, tenant, hinted, interaction, interaction.authz.loginHint);
    // login_hint first; else the login this browser last signed in with.
    const login = interaction.authz.loginHint || readLastLogin(request);
    return showForm(ctx, request, reply, { tenant, client, interaction, ...(login ? { login } : {}) });
  };
}

export function loginSubmitHandler(ctx: Latchkey) {
  return async function submitLogin(request: TenantRequest, reply: FastifyReply) {
    const tenant = await requireTenantBySlug(ctx, request.params.tenant);
    rememberPageTenant(request, tenant);
    const form = readBodyParams(request.headers['content-type'], request.body, { allowJson: false });
    const interaction = await requireInteraction(ctx, tenant, form.get('interaction'));
    verifyCsrfToken(ctx, request, form.get(CSRF_FIELD), 'login', interaction.id);
    const client = await requireInteractionClient(ctx, interaction);
    if (form.get('action') === 'cancel') return abandonAuthorization(ctx, reply, tenant, interaction, new AccessDenied('the user cancelled the sign-in'));

    const login = (form.get('login') ?? '').trim();
    const password = form.get('password') ?? '';
    const page = { tenant, client, interaction, login };
    // Home-realm discovery: an email in a domain a connection claims signs in there, whatever was typed as password.
    const home = await connectionForLogin(ctx, tenant, login);
    if (home !== undefined) return sendUpstream(ctx, reply, tenant, home, interaction, login);
    if (login === '' || password === '') {
      const fieldErrors = { ...(login === '' ? { login: { key: 'page.login.missing_login' } } : {}), ...(password === '' ? { password: { key: 'page.login.missing_password' } } : {}) };
      return showForm(ctx, request, reply, { ...page, fieldErrors }, 400);
    }
    const result = await signInWithPassword(ctx, tenant, { login, password, ip: request.ip, channel: 'hosted_page', clientId: client.clientId });
    if (result.outcome === 'locked') {
      reply.header('Retry-After', String(result.retryAfterSeconds));
      return showForm(ctx, request, reply, { ...page, error: lockoutMessage(result.retryAfterSeconds) }, 429);
    }
    if (result.outcome === 'invalid') return showForm(ctx, request, reply, { ...page, error: INVALID_CREDENTIALS }, 401);
    if (mustVerifyBeforeSignIn(tenant, result.user)) return showForm(ctx, request, reply, { ...page, error: await verificationNeededMessage(ctx, tenant, result.user, request.ip) }, 403);

    await linkPendingIdentity(ctx, tenant, interaction.idHash, result.user.id, request.ip);
    const session = await startSession(ctx, reply, tenant, result.user.id, await currentSession(ctx, request, tenant));
    await unmarkFederatedSession(ctx.db, session.id);
    rememberLastLogin(ctx, reply, tenant, login);
    await interactionQueries(ctx.db).recordSignIn(interaction.idHash, { userId: result.user.id, sessionId: session.id, authTime: session.auth_time });
    const signedIn: Interaction = { ...interaction, row: { ...interaction.row, user_id: result.user.id, session_id: session.id, auth_time: session.auth_time } };
    return resumeAuthorization(ctx, reply, { tenant, client, authz: interaction.authz, session, interaction: signedIn });
  };
}
