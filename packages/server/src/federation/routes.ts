/**
 * Browser routes of federation, under the tenant's issuer (`/t/<tenant>/federation/<connection>/…`):
 * - `POST start`: a sign-in page button (CSRF-checked) sends the interaction upstream;
 * - `GET callback`: the upstream's answer (oidc, oauth2);
 * - `POST acs` and `GET metadata`: SAML (`saml-routes.ts`).
 * A refusal shows the tenant's error page with a clear reason and the request id as correlation id, is
 * audited with the connection, and has changed nothing.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { recordAuditEvent } from '../audit/audit-log.ts';
import { requireTenantBySlug } from '../directory/tenants.ts';
import { issuerFor } from '../directory/tenant-directory.ts';
import { OAuthError } from '../errors/oauth-error.ts';
import { CSRF_FIELD, verifyCsrfToken } from '../interaction/csrf.ts';
import { requireInteraction } from '../interaction/interactions.ts';
import type { Interaction } from '../interaction/interactions.ts';
import { sendPage } from '../interaction/layout.ts';
import { errorPage } from '../interaction/pages/error-page.ts';
import { readBodyParams, readQueryParams } from '../oauth/request-params.ts';
import { requireConnection } from './connections.ts';
import type { Connection } from './connections.ts';
import { completeUpstreamSignIn } from './complete-sign-in.ts';
import { FederationRefused } from './federation-errors.ts';
import { finishGithub, startGithub } from './github-upstream.ts';
import { finishOidc, startOidc } from './oidc-upstream.ts';
import { beginRoundTrip, finishRoundTrip } from './round-trip.ts';
import { samlRoutes, startSaml } from './saml-routes.ts';
import { accountIdentityRoutes } from './account-identities.ts';

type ConnectionRequest = FastifyRequest<{ Params: { tenant: string; connection: string } }>;

export function callbackUrlOf(ctx: Latchkey, tenant: Tenant, connection: Pick<Connection, 'slug'>, leaf = 'callback'): string {
  return `${issuerFor(ctx.config.baseUrl, tenant.slug)}/federation/${connection.slug}/${leaf}`;
}

/** An enabled connection of the tenant, or a refusal (a disabled one is as good as absent). */
export async function enabledConnection(ctx: Latchkey, tenant: Tenant, slug: string | undefined): Promise<Connection> {
  const connection = slug === undefined ? undefined : await requireConnection(ctx.db, tenant.id, slug).catch(() => undefined);
  if (connection === undefined || !connection.enabled) throw new FederationRefused('connection_unavailable', 'This sign-in method is not available.');
  return connection;
}

/** Sends the interaction to the connection's upstream (button, home-realm discovery, `idp_hint`). */
export async function sendUpstream(ctx: Latchkey, reply: FastifyReply, tenant: Tenant, connection: Connection, interaction: Interaction, loginHint: string | undefined): Promise<FastifyReply> {
  if (connection.type === 'saml') return startSaml(ctx, reply, tenant, connection, interaction);
  const begin = (data: { codeVerifier: string; nonce?: string }) => beginRoundTrip(ctx, reply, tenant, connection, interaction.idHash, { interactionId: interaction.id, ...data }, { bindCookie: true });
  const url =
    connection.type === 'oidc'
      ? await startOidc(ctx, connection, callbackUrlOf(ctx, tenant, connection), begin, loginHint)
      : await startGithub(ctx, connection, callbackUrlOf(ctx, tenant, connection), begin, loginHint);
  return reply.redirect(url, 303);
}

/** Shows a refusal on the tenant's error page with the correlation id, and audits it with the connection. */
export async function refuseUpstreamSignIn(ctx: Latchkey, request: FastifyRequest, reply: FastifyReply, tenant: Tenant, connection: Connection | undefined, error: unknown): Promise<FastifyReply> {
  if (!(error instanceof OAuthError)) throw error;
  const reason = error instanceof FederationRefused ? error.reason : error.error;
  ctx.logger.info({ reqId: request.id, connection: connection?.slug, reason, cause: error.cause instanceof Error ? error.cause.message : undefined }, 'upstream sign-in refused');
  await recordAuditEvent(ctx, {
    action: 'federation.sign_in',
    outcome: 'failure',
    tenantId: tenant.id,
    ip: request.ip,
    actor: connection === undefined ? null : { type: 'connection', id: connection.id },
    details: { connection: connection?.slug ?? null, reason, request_id: request.id },
  });
  const status = error.status < 500 ? 400 : error.status;
  return sendPage(reply, errorPage({ status, description: error.expose ? error.description : undefined, code: reason, reference: String(request.id), tenantName: tenant.name }), status);
}

export async function federationRoutes(app: FastifyInstance, ctx: Latchkey): Promise<void> {
  app.post('/t/:tenant/federation/:connection/start', async (request: ConnectionRequest, reply) => {
    const tenant = await requireTenantBySlug(ctx, request.params.tenant);
    let connection: Connection | undefined;
    try {
      const form = readBodyParams(request.headers['content-type'], request.body, { allowJson: false });
      const interaction = await requireInteraction(ctx, tenant, form.get('interaction'));
      verifyCsrfToken(ctx, request, form.get(CSRF_FIELD), 'login', interaction.id);
      connection = await enabledConnection(ctx, tenant, request.params.connection);
      return await sendUpstream(ctx, reply, tenant, connection, interaction, interaction.authz.loginHint);
    } catch (error) {
      return refuseUpstreamSignIn(ctx, request, reply, tenant, connection, error);
    }
  });

  app.get('/t/:tenant/federation/:connection/callback', async (request: ConnectionRequest, reply) => {
    const tenant = await requireTenantBySlug(ctx, request.params.tenant);
    let connection: Connection | undefined;
    try {
      connection = await enabledConnection(ctx, tenant, request.params.connection);
      const query = readQueryParams(request.url);
      const state = query.get('state');
      const trip = await finishRoundTrip(ctx, request, tenant, connection, state, { bindCookie: true });
      const interaction = await requireInteraction(ctx, tenant, trip.interactionId);
      const callback = new URL(callbackUrlOf(ctx, tenant, connection));
      callback.search = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      const profile =
        connection.type === 'oidc'
          ? await finishOidc(ctx, connection, callback, { codeVerifier: trip.codeVerifier!, nonce: trip.nonce!, state: state! })
          : await finishGithub(ctx, connection, callback, { codeVerifier: trip.codeVerifier!, state: state! });
      return await completeUpstreamSignIn(ctx, request, reply, tenant, connection, interaction, profile);
    } catch (error) {
      return refuseUpstreamSignIn(ctx, request, reply, tenant, connection, error);
    }
  });


  await samlRoutes(app, ctx, { enabledConnection, refuse: refuseUpstreamSignIn });
  await accountIdentityRoutes(app, ctx);
}
