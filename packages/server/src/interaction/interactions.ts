/**
 * Interactions: an authorization request waiting for the user (sign-in, consent). Stored in the database under
 * the SHA-256 of a random id carried in the page URL and forms, so any instance can continue it.
 */
import type { Latchkey } from '../context.ts';
import { interactionQueries } from '../db/queries/interactions.ts';
import { deleteExpiredSignInState } from '../db/queries/sign-in-housekeeping.ts';
import type { InteractionRow } from '../db/queries/interactions.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { InvalidRequest, assert } from '../errors/oauth-error.ts';
import type { AuthorizationRequest } from '../oauth/authorization-request.ts';
import { generateOpaqueToken, hashSecret } from '../tokens/opaque.ts';
import { parseJsonObject } from '../util/json.ts';

const INTERACTION_LIFETIME_MS = 30 * 60 * 1000;
const INTERACTION_ID = /^[A-Za-z0-9_-]{43}$/;

export interface Interaction {
  readonly id: string;
  readonly idHash: string;
  readonly row: InteractionRow;
  readonly authz: AuthorizationRequest;
}

export async function startInteraction(ctx: Latchkey, tenant: Tenant, authz: AuthorizationRequest): Promise<string> {
  const id = generateOpaqueToken(32);
  const now = ctx.now();
  const queries = interactionQueries(ctx.db);
  await queries.insert({
    id_hash: hashSecret(id),
    tenant_id: tenant.id,
    client_id: authz.clientId,
    request: JSON.stringify(authz),
    user_id: null,
    session_id: null,
    auth_time: null,
    created_at: now,
    expires_at: now + INTERACTION_LIFETIME_MS,
    completed_at: null,
  });
  // Housekeeping rides along with new interactions rather than needing a scheduler.
  if (Math.random() < 0.01) await deleteExpiredSignInState(ctx.db, now);
  return id;
}

export async function requireInteraction(ctx: Latchkey, tenant: Tenant, id: string | undefined): Promise<Interaction> {
  const problem = new InvalidRequest('this sign-in has expired or was already completed; go back to the application and start again');
  assert(id !== undefined && INTERACTION_ID.test(id), problem);
  const idHash = hashSecret(id);
  const row = await interactionQueries(ctx.db).findOpen(tenant.id, idHash, ctx.now());
  assert(row !== undefined, problem);
  return { id, idHash, row, authz: parseJsonObject(row.request) as unknown as AuthorizationRequest };
}
