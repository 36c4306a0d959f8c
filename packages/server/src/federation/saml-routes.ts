/**
 * SAML routes of a connection: `GET metadata` (the SP metadata to give the IdP: entity id, ACS URL, signing
 * certificate) and `POST acs` (the HTTP-POST binding's response). The ACS is a cross-site POST by design, so
 * the round trip is found by RelayState (its state) and bound by the signed `InResponseTo`, not by a cookie that
 * SameSite=Lax would hold back.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { requireTenantBySlug } from '../directory/tenants.ts';
import { NotFound } from '../errors/oauth-error.ts';
import type { Interaction } from '../interaction/interactions.ts';
import { requireInteraction } from '../interaction/interactions.ts';
import { readBodyParams } from '../oauth/request-params.ts';
import type { Connection } from './connections.ts';
import { completeUpstreamSignIn } from './complete-sign-in.ts';
import { FederationRefused } from './federation-errors.ts';
import { beginRoundTrip, consumeRoundTrip, readRoundTrip } from './round-trip.ts';
import { finishSaml, spMetadata, startSamlRequest } from './saml-upstream.ts';

type ConnectionRequest = FastifyRequest<{ Params: { tenant: string; connection: string } }>;

export interface SamlRouteHelpers {
  readonly enabledConnection: (ctx: Latchkey, tenant: Tenant, slug: string | undefined) => Promise<Connection>;
  readonly refuse: (ctx: Latchkey, request: FastifyRequest, reply: FastifyReply, tenant: Tenant, connection: Connection | undefined, error: unknown) => Promise<FastifyReply>;
}

export async function startSaml(ctx: Latchkey, reply: FastifyReply, tenant: Tenant, connection: Connection, interaction: Interaction): Promise<FastifyReply> {
  const url = await startSamlRequest(ctx, tenant, connection, (requestId) => beginRoundTrip(ctx, reply, tenant, connection, interaction.idHash, { interactionId: interaction.id, requestId }, { bindCookie: false }));
  return reply.redirect(url, 303);
}

export async function samlRoutes(app: FastifyInstance, ctx: Latchkey, helpers: SamlRouteHelpers): Promise<void> {
  app.get('/t/:tenant/federation/:connection/metadata', async (request: ConnectionRequest, reply) => {
    const tenant = await requireTenantBySlug(ctx, request.params.tenant);
    const connection = await helpers.enabledConnection(ctx, tenant, request.params.connection).catch(() => undefined);
    if (connection === undefined || connection.type !== 'saml') throw new NotFound('no such SAML connection');
    return reply.type('application/samlmetadata+xml; charset=utf-8').header('Cache-Control', 'public, max-age=300').send(await spMetadata(ctx, tenant, connection));
  });

  app.post('/t/:tenant/federation/:connection/acs', async (request: ConnectionRequest, reply) => {
    const tenant = await requireTenantBySlug(ctx, request.params.tenant);
    let connection: Connection | undefined;
    try {
      connection = await helpers.enabledConnection(ctx, tenant, request.params.connection);
      if (connection.type !== 'saml') throw new FederationRefused('connection_unavailable', 'This sign-in method does not take SAML responses.');
      const form = readBodyParams(request.headers['content-type'], request.body, { allowJson: false });
      const samlResponse = form.get('SAMLResponse');
      const relayState = form.get('RelayState');
      if (samlResponse === undefined || samlResponse === '' || samlResponse.length > 1_000_000) throw new FederationRefused('invalid_response', 'The SAML response is missing.');
      const trip = await readRoundTrip(ctx, request, tenant, connection, relayState);
      const profile = await finishSaml(ctx, tenant, connection, { SAMLResponse: samlResponse, RelayState: relayState! }, { id: trip.requestId!, at: trip.createdAt });
      await consumeRoundTrip(ctx, relayState!);
      const interaction = await requireInteraction(ctx, tenant, trip.interactionId);
      return await completeUpstreamSignIn(ctx, request, reply, tenant, connection, interaction, profile);
    } catch (error) {
      return helpers.refuse(ctx, request, reply, tenant, connection, error);
    }
  });
}
