/**
 * The end of an upstream round trip, the same for every protocol: resolve the identity (link, verified-email
 * link, just-in-time account, or "prove the local account first"), start the tenant's browser session with
 * `amr` containing `fed` (RFC 8176 has no value for federation; `fed` is the one Keycloak and others use), record
 * the upstream's `amr`/`acr` in the audit event, and continue the authorization where the sign-in page left it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import { federatedIdentityQueries } from '../db/queries/federated-identities.ts';
import { interactionQueries } from '../db/queries/interactions.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { recordAuditEvent } from '../audit/audit-log.ts';
import { issuerFor } from '../directory/tenant-directory.ts';
import { currentSession, startSession } from '../interaction/browser-session.ts';
import type { Interaction } from '../interaction/interactions.ts';
import { requireInteractionClient, resumeAuthorization } from '../interaction/resume.ts';
import type { Connection } from './connections.ts';
import { PENDING_LINK_LIFETIME_MS, resolveIdentity } from './identities.ts';
import type { UpstreamProfile } from './upstream-profile.ts';
import { FEDERATED_AMR, markFederatedSession } from './session-claims.ts';

export async function completeUpstreamSignIn(ctx: Latchkey, request: FastifyRequest, reply: FastifyReply, tenant: Tenant, connection: Connection, interaction: Interaction, profile: UpstreamProfile): Promise<FastifyReply> {
  const client = await requireInteractionClient(ctx, interaction);
  const resolved = await resolveIdentity(ctx, tenant, connection, profile);
  const audit = { tenantId: tenant.id, ip: request.ip, actor: { type: 'connection', id: connection.id } };
  if (resolved.outcome === 'prove_local_account') {
    await federatedIdentityQueries(ctx.db).putPendingLink({
      interaction_hash: interaction.idHash,
      tenant_id: tenant.id,
      connection_id: connection.id,
      subject: profile.subject,
      user_id: resolved.user.id,
      email: profile.email ?? null,
      expires_at: ctx.now() + PENDING_LINK_LIFETIME_MS,
    });
    await recordAuditEvent(ctx, { ...audit, action: 'federation.sign_in', outcome: 'failure', target: { type: 'user', id: resolved.user.id }, details: { connection: connection.slug, reason: 'email_in_use_unverified', request_id: request.id } });
    return reply.redirect(`${issuerFor(ctx.config.baseUrl, tenant.slug)}/login?interaction=${interaction.id}&link=${connection.slug}`, 303);
  }
  const session = await startSession(ctx, reply, tenant, resolved.user.id, await currentSession(ctx, request, tenant), [FEDERATED_AMR]);
  await markFederatedSession(ctx.db, session.id, connection.id, { amr: profile.amr, acr: profile.acr });
  await interactionQueries(ctx.db).recordSignIn(interaction.idHash, { userId: resolved.user.id, sessionId: session.id, authTime: session.auth_time });
  await recordAuditEvent(ctx, {
    ...audit,
    action: 'federation.sign_in',
    target: { type: 'user', id: resolved.user.id },
    details: { connection: connection.slug, created: resolved.created, linked: resolved.linked, upstream_amr: profile.amr, upstream_acr: profile.acr ?? null, request_id: request.id },
  });
  const signedIn: Interaction = { ...interaction, row: { ...interaction.row, user_id: resolved.user.id, session_id: session.id, auth_time: session.auth_time } };
  return resumeAuthorization(ctx, reply, { tenant, client, authz: interaction.authz, session, interaction: signedIn });
}
