/**
 * RFC 6749 §6: refreshes tokens. Steps: find the refresh token → bound to this client → not revoked → not
 * rotated out (a replay revokes the whole family and is audited, OAuth 2.0 Security BCP §4.14.2) → not expired
 * → grant alive, user active → scope no wider than granted → rotate (one conditional update, so of concurrent
 * requests exactly one wins) → issue tokens. With `refresh_token_rotation` off, the token stays and none is issued.
 */
import type { Latchkey } from '../../context.ts';
import type { Client } from '../../db/queries/clients.ts';
import type { Database } from '../../db/database.ts';
import { refreshTokenQueries } from '../../db/queries/refresh-tokens.ts';
import type { RefreshTokenRow } from '../../db/queries/refresh-tokens.ts';
import { InvalidGrant, InvalidScope, assert } from '../../errors/oauth-error.ts';
import { hashSecret } from '../../tokens/opaque.ts';
import { assertPresent, splitScope } from '../request-params.ts';
import type { Grant, GrantContext, TokenResponse } from './grant.ts';
import { requireActiveUser, requireLiveGrant, revokeGrantFamily } from './shared/grant-checks.ts';
import { ClaimLost, issueUserTokens } from './shared/issue-tokens.ts';
import { grantResources, resourceForGrant } from '../../resources/resource-indicators.ts';

async function findRefreshToken(ctx: Latchkey, token: string, client: Client): Promise<RefreshTokenRow> {
  const row = token.length <= 256 ? await refreshTokenQueries(ctx.db).findByHash(hashSecret(token)) : undefined;
  assert(row !== undefined && row.client_id === client.clientId && row.tenant_id === client.tenantId, new InvalidGrant('the refresh token is invalid'));
  return row;
}

async function replayDetected(ctx: Latchkey, row: RefreshTokenRow, ip: string): Promise<never> {
  await revokeGrantFamily(ctx, { id: row.grant_id, tenant_id: row.tenant_id, client_id: row.client_id }, 'refresh_token.reuse', ip, { refresh_token_id: row.id });
  throw new InvalidGrant('the refresh token was already used; the whole token family is now revoked');
}

function narrowScope(requested: string | undefined, granted: readonly string[]): string[] {
  if (requested === undefined) return [...granted];
  const scope = splitScope(requested);
  const wider = scope.filter((s) => !granted.includes(s));
  assert(wider.length === 0, new InvalidScope(`scope was not granted: ${wider.join(' ')}`));
  return scope;
}

export const refreshTokenGrant: Grant = {
  type: 'refresh_token',
  async handle({ ctx, request, params, tenant, client }: GrantContext): Promise<TokenResponse> {
    assertPresent(params, 'refresh_token');
    const row = await findRefreshToken(ctx, params.get('refresh_token')!, client);
    assert(row.revoked_at === null, new InvalidGrant('the refresh token was revoked'));
    if (row.rotated_at !== null) await replayDetected(ctx, row, request.ip);
    assert(row.expires_at > ctx.now(), new InvalidGrant('the refresh token has expired'));
    const grant = await requireLiveGrant(ctx, row.grant_id);
    const user = await requireActiveUser(ctx, grant);
    const scope = narrowScope(params.get('scope'), splitScope(row.scope));
    // RFC 8707 §2.2: an access token for one of the resources the grant authorized.
    const resource = await resourceForGrant(ctx, tenant, client, grantResources(grant.resources), params.get('resource'));
    const rotate = tenant.settings.refresh_token_rotation;
    // The rotation is claimed in the same transaction that stores the new tokens: of concurrent requests with
    // this token exactly one commits; the others roll back and count as a replay.
    const claim = rotate ? (trx: Database) => refreshTokenQueries(trx).markRotated(row.token_hash, ctx.now()) : undefined;
    try {
      return await issueUserTokens(ctx, { tenant, client, grant, user, scope, newRefreshToken: rotate, resource }, claim);
    } catch (error) {
      if (error instanceof ClaimLost) return replayDetected(ctx, row, request.ip);
      throw error;
    }
  },
};
