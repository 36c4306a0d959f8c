/**
 * Per-client token exchange policies (RFC 8693, issue 20 item 5): which subject tokens a client may exchange
 * (API keys, access tokens), for which resources, whether it may impersonate (exchange an access token without
 * an actor token, so the new token names no acting party), and how long exchanged tokens live at most. A client
 * with the token-exchange grant and no stored policy gets the default: API keys and delegation, no impersonation.
 */
import type { Database } from '../db/database.ts';
import { clientQueries } from '../db/queries/clients.ts';
import { authorizeOnClient } from '../admin/admin-authority.ts';
import type { Actor } from '../admin/admin-authority.ts';
import { InvalidRequest, NotFound, assert } from '../errors/oauth-error.ts';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** RFC 8693 §3 token type identifiers, and Latchkey's own for an API key (`sg_live_…`). */
export const TOKEN_TYPES = {
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
  apiKey: 'urn:latchkey:params:oauth:token-type:api-key',
} as const;

export type SubjectKind = 'api_key' | 'access_token';

export interface TokenExchangePolicy {
  readonly subject_token_types: readonly SubjectKind[];
  /** Resource identifiers this client may exchange for; null: any resource the client may ask for. */
  readonly resources: readonly string[] | null;
  readonly impersonation: boolean;
  /** Seconds; exchanged tokens never live longer (nor beyond the subject token). */
  readonly max_lifetime: number;
}

export const DEFAULT_TOKEN_EXCHANGE_POLICY: TokenExchangePolicy = Object.freeze<TokenExchangePolicy>({ subject_token_types: ['api_key', 'access_token'], resources: null, impersonation: false, max_lifetime: 900 });

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Validates a (partial) policy over the defaults; every problem named at once. */
export function parseTokenExchangePolicy(input: unknown, base: TokenExchangePolicy = DEFAULT_TOKEN_EXCHANGE_POLICY): TokenExchangePolicy {
  assert(isRecord(input), new InvalidRequest('the policy must be a JSON object'));
  const problems: string[] = [];
  const known = new Set(Object.keys(DEFAULT_TOKEN_EXCHANGE_POLICY));
  for (const key of Object.keys(input)) if (!known.has(key)) problems.push(`unknown field "${key}"`);
  const types = input.subject_token_types ?? base.subject_token_types;
  if (!Array.isArray(types) || !types.every((t) => t === 'api_key' || t === 'access_token')) problems.push('subject_token_types must list api_key and/or access_token');
  const resources = input.resources === undefined ? base.resources : input.resources;
  if (resources !== null && (!Array.isArray(resources) || !resources.every((r) => typeof r === 'string' && URL.canParse(r)))) problems.push('resources must be null or a list of resource identifiers');
  const impersonation = input.impersonation ?? base.impersonation;
  if (typeof impersonation !== 'boolean') problems.push('impersonation must be true or false');
  const maxLifetime = input.max_lifetime ?? base.max_lifetime;
  if (!Number.isInteger(maxLifetime) || (maxLifetime as number) < 1 || (maxLifetime as number) > 86400) problems.push('max_lifetime must be 1 to 86400 seconds');
  if (problems.length > 0) throw new InvalidRequest(`invalid token exchange policy: ${problems.join('; ')}`);
  return { subject_token_types: [...new Set(types as SubjectKind[])], resources: resources === null ? null : [...new Set(resources as string[])], impersonation: impersonation as boolean, max_lifetime: maxLifetime as number };
}

export async function tokenExchangePolicyOf(db: Database, clientId: string): Promise<TokenExchangePolicy> {
  const row = await db.selectFrom('token_exchange_policies').select('policy').where('client_id', '=', clientId).executeTakeFirst();
  if (row === undefined) return DEFAULT_TOKEN_EXCHANGE_POLICY;
  try {
    return parseTokenExchangePolicy(JSON.parse(row.policy));
  } catch {
    return DEFAULT_TOKEN_EXCHANGE_POLICY;
  }
}

/** Replaces the client's policy (fields left out keep their current values); the actor must act downward on the client. */
export async function setTokenExchangePolicy(db: Database, actor: Actor, tenantId: string, clientId: string, input: unknown, now: number): Promise<TokenExchangePolicy> {
  const client = await clientQueries(db).findById(clientId);
  if (client === undefined || client.tenantId !== tenantId) throw new NotFound('no such client in this tenant');
  await authorizeOnClient(db, actor, client);
  const policy = parseTokenExchangePolicy(input, await tokenExchangePolicyOf(db, clientId));
  const json = JSON.stringify(policy);
  await db
    .insertInto('token_exchange_policies')
    .values({ client_id: clientId, tenant_id: tenantId, policy: json, updated_at: now })
    .onConflict((oc) => oc.column('client_id').doUpdateSet({ policy: json, updated_at: now }))
    .execute();
  return policy;
}
