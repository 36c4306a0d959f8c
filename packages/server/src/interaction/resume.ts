import type { FastifyReply } from 'fastify';
import type { Latchkey } from '../context.ts';
import { clientQueries } from '../db/queries/clients.ts';
import type { Client } from '../db/queries/clients.ts';
import { interactionQueries } from '../db/queries/interactions.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { InvalidRequest, OAuthError, assert } from '../errors/oauth-error.ts';
import { sendAuthorizationError } from '../oauth/authorization-response.ts';
import { continueAuthorization, responseTargetOf } from '../oauth/authorize-decision.ts';
import type { AuthorizationProgress } from '../oauth/authorize-decision.ts';
import type { Interaction } from './interactions.ts';

export async function requireInteractionClient(ctx: Latchkey, interaction: Interaction): Promise<Client> {
  const client = await clientQueries(ctx.db).findById(interaction.row.client_id);
  assert(client !== undefined, new InvalidRequest('the application of this sign-in no longer exists'));
  return client;
}

/** Continues the authorization after a hosted page; OAuth errors go back to the client, like at authorize. */
export async function resumeAuthorization(ctx: Latchkey, reply: FastifyReply, progress: AuthorizationProgress): Promise<FastifyReply> {
  try {
    return await continueAuthorization(ctx, reply, progress);
  } catch (error) {
    if (error instanceof OAuthError && error.status < 500) return sendAuthorizationError(reply, responseTargetOf(ctx, progress.tenant, progress.authz), error);
    throw error;
  }
}

/** The user cancelled or denied: the interaction ends and the client hears `error` (RFC 6749 §4.1.2.1). */
export async function abandonAuthorization(ctx: Latchkey, reply: FastifyReply, tenant: Tenant, interaction: Interaction, error: OAuthError): Promise<FastifyReply> {
  const completed = await interactionQueries(ctx.db).complete(interaction.idHash, ctx.now());
  assert(completed, new InvalidRequest('this sign-in was already completed'));
  return sendAuthorizationError(reply, responseTargetOf(ctx, tenant, interaction.authz), error);
}
