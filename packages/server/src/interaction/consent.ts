/**
 * The hosted consent page: `GET <issuer>/consent?interaction=…` lists the application and each requested scope
 * in plain words; `POST <issuer>/consent` (CSRF-checked) remembers an approval per user, client and scope set
 * and continues, or sends `access_denied` back to the client.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import { consentQueries } from '../db/queries/consents.ts';
import type { BrowserSession } from '../db/queries/sessions.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { userQueries } from '../db/queries/users.ts';
import { requireTenantBySlug } from '../directory/tenants.ts';
import { issuerFor } from '../directory/tenant-directory.ts';
import { AccessDenied } from '../errors/oauth-error.ts';
import { readBodyParams, readQueryParams } from '../oauth/request-params.ts';
import { currentSession } from './browser-session.ts';
import { CSRF_FIELD, issueCsrfToken, verifyCsrfToken } from './csrf.ts';
import { requireInteraction } from './interactions.ts';
import type { Interaction } from './interactions.ts';
import { formTargetFor, sendPage } from './layout.ts';
import { consentPage } from './pages/consent-page.ts';
import { rememberPageTenant } from './page-errors.ts';
import { abandonAuthorization, requireInteractionClient, resumeAuthorization } from './resume.ts';

type TenantRequest = FastifyRequest<{ Params: { tenant: string } }>;

/** Without a live session (it expired, or the user signed out elsewhere) the interaction goes back to sign-in. */
function toSignIn(ctx: Latchkey, reply: FastifyReply, tenant: Tenant, interaction: Interaction): FastifyReply {
  return reply.code(303).header('Cache-Control', 'no-store').header('Location', `${issuerFor(ctx.config.baseUrl, tenant.slug)}/login?interaction=${interaction.id}`).send();
}

async function pageContext(ctx: Latchkey, request: TenantRequest, interactionId: string | undefined) {
  const tenant = await requireTenantBySlug(ctx, request.params.tenant);
  rememberPageTenant(request, tenant);
  const interaction = await requireInteraction(ctx, tenant, interactionId);
  const client = await requireInteractionClient(ctx, interaction);
  const session: BrowserSession | undefined = await currentSession(ctx, request, tenant);
  return { tenant, interaction, client, session };
}

export function consentPageHandler(ctx: Latchkey) {
  return async function showConsent(request: TenantRequest, reply: FastifyReply) {
    const { tenant, interaction, client, session } = await pageContext(ctx, request, readQueryParams(request.url).get('interaction'));
    if (session === undefined) return toSignIn(ctx, reply, tenant, interaction);
    const user = await userQueries(ctx.db).findById(session.user_id);
    const target = formTargetFor(interaction.authz.redirectUri);
    return sendPage(
      reply,
      consentPage({
        tenantName: tenant.name,
        clientName: client.name,
        userName: user?.display_name ?? user?.email ?? user?.username ?? undefined,
        scopes: interaction.authz.scope,
        action: `${issuerFor(ctx.config.baseUrl, tenant.slug)}/consent`,
        interactionId: interaction.id,
        csrfToken: issueCsrfToken(ctx, request, reply, tenant, 'consent', interaction.id),
        formTargets: target === undefined ? [] : [target],
        uiLocales: interaction.authz.uiLocales,
      }),
    );
  };
}

export function consentSubmitHandler(ctx: Latchkey) {
  return async function submitConsent(request: TenantRequest, reply: FastifyReply) {
    const form = readBodyParams(request.headers['content-type'], request.body, { allowJson: false });
    const { tenant, interaction, client, session } = await pageContext(ctx, request, form.get('interaction'));
    verifyCsrfToken(ctx, request, form.get(CSRF_FIELD), 'consent', interaction.id);
    if (session === undefined) return toSignIn(ctx, reply, tenant, interaction);
    if (form.get('decision') !== 'allow') return abandonAuthorization(ctx, reply, tenant, interaction, new AccessDenied('the user denied the request'));
    await consentQueries(ctx.db).remember({ tenantId: tenant.id, userId: session.user_id, clientId: client.clientId, scopes: interaction.authz.scope }, ctx.now());
    return resumeAuthorization(ctx, reply, { tenant, client, authz: interaction.authz, session, interaction, consentedNow: true });
  };
}
