/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) at `<issuer>/oauth2/logout`, GET and POST.
 * Steps: read parameters → check `id_token_hint` (ours, expired allowed) and the client → check that
 * `post_logout_redirect_uri` is registered exactly → end the session at once when the hint proves the
 * relying party speaks for this session, otherwise ask the user on a confirmation page → redirect with `state`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import { clientQueries } from '../db/queries/clients.ts';
import type { Client } from '../db/queries/clients.ts';
import type { BrowserSession } from '../db/queries/sessions.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { recordAuditEvent } from '../audit/audit-log.ts';
import { requireTenantBySlug } from '../directory/tenants.ts';
import { issuerFor } from '../directory/tenant-directory.ts';
import { InvalidRequest, assert } from '../errors/oauth-error.ts';
import { currentSession, endSession } from '../interaction/browser-session.ts';
import { CSRF_FIELD, issueCsrfToken, verifyCsrfToken } from '../interaction/csrf.ts';
import { formTargetFor, sendPage } from '../interaction/layout.ts';
import { logoutConfirmPage, signedOutPage } from '../interaction/pages/logout-pages.ts';
import { rememberPageTenant } from '../interaction/page-errors.ts';
import { verifyIdTokenHint } from '../tokens/id-token.ts';
import { assertLengths, readBodyParams, readQueryParams } from './request-params.ts';
import type { Params } from './request-params.ts';

type TenantRequest = FastifyRequest<{ Params: { tenant: string } }>;

interface LogoutRequest {
  readonly client: Client | undefined;
  readonly postLogoutRedirectUri: string | undefined;
  readonly state: string | undefined;
  readonly hint: { sub: string; aud: string; sid?: string } | undefined;
}

function readParams(request: FastifyRequest): Params {
  const params = request.method === 'POST' ? readBodyParams(request.headers['content-type'], request.body, { allowJson: false }) : readQueryParams(request.url);
  assertLengths(params, 8192);
  return params;
}

async function checkLogoutRequest(ctx: Latchkey, tenant: Tenant, params: Params): Promise<LogoutRequest> {
  const hintToken = params.get('id_token_hint');
  const hint = hintToken ? await verifyIdTokenHint(ctx, tenant, hintToken) : undefined;
  assert(!hintToken || hint !== undefined, new InvalidRequest('id_token_hint is not an ID token this issuer issued'));
  const clientId = params.get('client_id') || hint?.aud;
  assert(!(params.get('client_id') && hint && hint.aud !== params.get('client_id')), new InvalidRequest('client_id does not match the id_token_hint'));
  let client: Client | undefined;
  if (clientId) {
    client = await clientQueries(ctx.db).findById(clientId);
    assert(client !== undefined && client.tenantId === tenant.id, new InvalidRequest('the application (client_id) is not known here'));
  }
  const postLogoutRedirectUri = params.get('post_logout_redirect_uri') || undefined;
  if (postLogoutRedirectUri !== undefined) {
    assert(client !== undefined, new InvalidRequest('post_logout_redirect_uri needs id_token_hint or client_id'));
    assert(client.postLogoutRedirectUris.includes(postLogoutRedirectUri), new InvalidRequest('the post_logout_redirect_uri is not registered for this application'));
  }
  return { client, postLogoutRedirectUri, state: params.get('state') || undefined, hint };
}

async function signOut(ctx: Latchkey, request: FastifyRequest, reply: FastifyReply, tenant: Tenant, session: BrowserSession | undefined, logout: LogoutRequest): Promise<void> {
  await endSession(ctx, reply, tenant, session);
  if (session === undefined) return;
  await recordAuditEvent(ctx, {
    action: 'user.sign_out',
    tenantId: tenant.id,
    actor: { type: 'user', id: session.user_id },
    target: { type: 'session', id: session.id },
    ip: request.ip,
    details: { client_id: logout.client?.clientId ?? null },
  });
}

function finish(reply: FastifyReply, tenant: Tenant, logout: LogoutRequest, signedOut: boolean): FastifyReply {
  if (logout.postLogoutRedirectUri === undefined) return sendPage(reply, signedOutPage(tenant.name, signedOut));
  const url = new URL(logout.postLogoutRedirectUri);
  if (logout.state !== undefined) url.searchParams.set('state', logout.state);
  return reply.code(303).header('Cache-Control', 'no-store').header('Location', url.href).send();
}

export function endSessionHandler(ctx: Latchkey) {
  return async function endSessionEndpoint(request: TenantRequest, reply: FastifyReply) {
    const tenant = await requireTenantBySlug(ctx, request.params.tenant);
    rememberPageTenant(request, tenant);
    const logout = await checkLogoutRequest(ctx, tenant, readParams(request));
    const session = await currentSession(ctx, request, tenant);
    if (session === undefined) return finish(reply, tenant, logout, true);
    // The hint names this very session (or its user): the relying party speaks for it, no need to ask.
    if (logout.hint !== undefined && (logout.hint.sid === session.id || (logout.hint.sid === undefined && logout.hint.sub === session.user_id))) {
      await signOut(ctx, request, reply, tenant, session, logout);
      return finish(reply, tenant, logout, true);
    }
    const target = logout.postLogoutRedirectUri === undefined ? undefined : formTargetFor(logout.postLogoutRedirectUri);
    return sendPage(
      reply,
      logoutConfirmPage({
        tenantName: tenant.name,
        ...(logout.client ? { clientName: logout.client.name } : {}),
        action: `${issuerFor(ctx.config.baseUrl, tenant.slug)}/logout/confirm`,
        csrfToken: issueCsrfToken(ctx, request, reply, tenant, 'logout', session.id),
        hidden: { client_id: logout.client?.clientId, post_logout_redirect_uri: logout.postLogoutRedirectUri, state: logout.state },
        formTargets: target === undefined ? [] : [target],
      }),
    );
  };
}

export function logoutConfirmHandler(ctx: Latchkey) {
  return async function confirmLogout(request: TenantRequest, reply: FastifyReply) {
    const tenant = await requireTenantBySlug(ctx, request.params.tenant);
    rememberPageTenant(request, tenant);
    const form = readBodyParams(request.headers['content-type'], request.body, { allowJson: false });
    const session = await currentSession(ctx, request, tenant);
    verifyCsrfToken(ctx, request, form.get(CSRF_FIELD), 'logout', session?.id ?? 'none');
    const logout = await checkLogoutRequest(ctx, tenant, new Map([...form].filter(([name]) => name !== 'id_token_hint')));
    if (form.get('decision') !== 'logout') return sendPage(reply, signedOutPage(tenant.name, false));
    await signOut(ctx, request, reply, tenant, session, logout);
    return finish(reply, tenant, logout, true);
  };
}
