/**
 * The subject of a token exchange (RFC 8693 §2.1): who the new token is about and what rights it may carry, read
 * afresh from the directory at every exchange, so a revoked key or a lost role shows in the very next token.
 *  - an API key of this tenant: its owner, with the key's effective permissions (its subset ∩ what the owner
 *    holds now); never longer than the key lives;
 *  - an access token this tenant issued (RFC 9068): its subject, with the scopes of that token and the user's
 *    current permissions; never longer than that token lives. With an actor token the result names the actor
 *    in `act` (delegation, §4.1); without one it is impersonation, which the client's policy must allow.
 */
import type { Latchkey } from '../../context.ts';
import type { Client } from '../../db/queries/clients.ts';
import type { Tenant } from '../../db/queries/tenants.ts';
import { userQueries } from '../../db/queries/users.ts';
import { resolveAccess } from '../../directory/access.ts';
import { authenticateApiKey } from '../../directory/api-keys.ts';
import { InvalidRequest, UnauthorizedClient } from '../../errors/oauth-error.ts';
import { principalClaims } from '../../oauth/principal-claims.ts';
import { splitScope } from '../../oauth/request-params.ts';
import { checkAccessToken } from '../../tokens/verify-access-token.ts';
import type { JWTPayload } from '../../tokens/jose.ts';
import type { TokenExchangePolicy } from '../token-exchange-policy.ts';

export interface ExchangeSubject {
  readonly kind: 'api_key' | 'access_token';
  readonly subject: string;
  /** What the new token's scope may hold (before the resource's own scopes cut it). */
  readonly rights: ReadonlySet<string>;
  readonly claims: Readonly<Record<string, unknown>>;
  /** Epoch ms after which the subject credential is dead (null: no end). */
  readonly expiresAt: number | null;
  /** Details for the audit event (never a token). */
  readonly audit: Readonly<Record<string, unknown>>;
}

const KEY_REFUSALS: Record<string, string> = {
  malformed: 'the subject token is not an API key',
  unknown: 'the API key is not known in this tenant',
  revoked: 'the API key was revoked',
  expired: 'the API key has expired',
  owner_inactive: 'the owner of the API key is not active',
  test_key_refused: 'this tenant refuses test API keys',
  tenant_unknown: 'the API key is not known in this tenant',
};

export async function apiKeySubject(ctx: Latchkey, tenant: Tenant, token: string, ip: string): Promise<ExchangeSubject> {
  const checked = await authenticateApiKey(ctx, token, ip, tenant.id);
  if (!checked.ok) throw new InvalidRequest(`invalid subject_token: ${KEY_REFUSALS[checked.reason] ?? 'the API key was refused'}`);
  const { key, owner, permissions } = checked;
  return {
    kind: 'api_key',
    subject: owner.id,
    rights: new Set(permissions),
    claims: { permissions: [...permissions], api_key_id: key.id, ...(owner.username ? { preferred_username: owner.username } : {}), tenant_id: tenant.id },
    expiresAt: key.expires_at,
    audit: { api_key_id: key.id, owner_user_id: owner.id },
  };
}

async function verifiedAccessToken(ctx: Latchkey, tenant: Tenant, token: string, name: string): Promise<JWTPayload> {
  const checked = await checkAccessToken(ctx, tenant, token);
  if (!checked.valid) {
    const why = checked.reason === 'expired' ? 'has expired' : checked.reason === 'revoked' ? 'was revoked' : 'is not an access token of this tenant';
    throw new InvalidRequest(`invalid ${name}: the token ${why}`);
  }
  return checked.payload;
}

export async function accessTokenSubject(ctx: Latchkey, tenant: Tenant, client: Client, policy: TokenExchangePolicy, token: string, actorToken: string | undefined): Promise<ExchangeSubject> {
  const payload = await verifiedAccessToken(ctx, tenant, token, 'subject_token');
  const user = typeof payload.sub === 'string' ? await userQueries(ctx.db).findById(payload.sub) : undefined;
  if (user === undefined || user.tenant_id !== tenant.id || user.status !== 'active') throw new InvalidRequest('invalid subject_token: its subject is not an active user of this tenant');
  let act: Record<string, unknown> | undefined;
  if (actorToken !== undefined) {
    const actor = await verifiedAccessToken(ctx, tenant, actorToken, 'actor_token');
    // The actor is the party asking: a token issued to this client, not one picked up elsewhere.
    if (actor.client_id !== (client.metadataUrl ?? client.clientId)) throw new InvalidRequest('invalid actor_token: it was not issued to this client');
    act = { sub: actor.sub, client_id: actor.client_id, ...(payload.act === undefined ? {} : { act: payload.act }) };
  } else if (!policy.impersonation) {
    throw new UnauthorizedClient('this client may not impersonate: send an actor_token (delegation), or an administrator must allow impersonation in its token exchange policy');
  }
  const access = await resolveAccess(ctx.db, user.id);
  const scopes = splitScope(typeof payload.scope === 'string' ? payload.scope : undefined);
  const claims = { ...(await principalClaims(ctx, tenant, client, user, scopes)), ...(act === undefined ? {} : { act }) };
  return {
    kind: 'access_token',
    subject: user.id,
    rights: new Set([...scopes, ...access.permissions]),
    claims,
    expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : null,
    audit: { subject_jti: payload.jti ?? null, subject_client_id: payload.client_id ?? null, delegation: act !== undefined, ...(act === undefined ? {} : { actor: act.sub }) },
  };
}
