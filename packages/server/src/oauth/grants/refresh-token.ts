/**
 * RFC 6749 §6: refreshes tokens. Steps: find the refresh token → bound to this client → not revoked → not
 * rotated out (else a retry within the reuse grace, or a replay that revokes the whole family and is audited,
 * RFC 9700 §4.14.2) → not expired → grant alive, user active → scope no wider than granted nor than the client
 * may still have → rotate (one conditional update in the transaction that stores the new tokens, so of
 * concurrent requests exactly one rotates) → issue tokens. With `refresh_token_rotation` off, the token stays
 * and none is issued.
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
import { recordRetry, requireActiveUser, requireLiveGrant, revokeGrantFamily, scopeTheClientStillHas } from './shared/grant-checks.ts';
import { ClaimLost, issueUserTokens } from './shared/issue-tokens.ts';
import { grantResources, resourceForGrant } from '../../resources/resource-indicators.ts';
import type { ApiResource } from '../../resources/api-resources.ts';
import { isUnusedRefreshToken, isWithinReuseGrace } from './shared/reuse-grace.ts';
import { successorRefreshToken } from './shared/successor-token.ts';

async function findRefreshToken(ctx: Latchkey, token: string, client: Client): Promise<RefreshTokenRow> {
  const row = token.length <= 256 ? await refreshTokenQueries(ctx.db).findByHash(hashSecret(token)) : undefined;
  assert(row !== undefined && row.client_id === client.clientId && row.tenant_id === client.tenantId, new InvalidGrant('the refresh token is invalid'));
  return row;
}

async function replayDetected(ctx: Latchkey, row: RefreshTokenRow, ip: string): Promise<never> {
  await revokeGrantFamily(ctx, { id: row.grant_id, tenant_id: row.tenant_id, client_id: row.client_id }, 'refresh_token.reuse', ip, { refresh_token_id: row.id });
  throw new InvalidGrant('the refresh token was already used; the whole token family is now revoked');
}

/** The scope of the new tokens: as asked (never wider than granted), and only what the client may still have (issue 13). */
function narrowScope(requested: string | undefined, granted: readonly string[], client: Client, resource: ApiResource | undefined): string[] {
  const allowed = scopeTheClientStillHas(granted, client, resource?.scopes);
  if (requested === undefined) return allowed;
  const scope = splitScope(requested);
  const wider = scope.filter((s) => !allowed.includes(s));
  assert(wider.length === 0, new InvalidScope(`scope was not granted: ${wider.join(' ')}`));
  return scope;
}

/**
 * A rotated-out token presented again. Within the reuse grace, while the child its rotation issued is still
 * unused, it is a retry whose answer was lost: the answer carries that same child again (with a fresh access
 * token), and nothing is revoked. Otherwise it is a replay (the family moved on, or the grace is over).
 */
async function retryOrReplay({ ctx, request, params, tenant, client }: GrantContext, row: RefreshTokenRow, presented: string): Promise<TokenResponse> {
  assert(row.revoked_at === null, new InvalidGrant('the refresh token was revoked'));
  if (row.rotated_at !== null && isWithinReuseGrace(tenant, row.rotated_at, ctx.now())) {
    const successor = successorRefreshToken(ctx, presented);
    const child = await refreshTokenQueries(ctx.db).findByHash(hashSecret(successor));
    if (isUnusedRefreshToken(child, row.grant_id, ctx.now())) {
      const grant = await requireLiveGrant(ctx, row.grant_id);
      const user = await requireActiveUser(ctx, grant);
      const resource = await resourceForGrant(ctx, tenant, client, grantResources(grant.resources), params.get('resource'));
      const scope = narrowScope(params.get('scope'), splitScope(child.scope), client, resource);
      const stillUnused = (trx: Database) => refreshTokenQueries(trx).holdUnused(child.token_hash);
      try {
        const response = await issueUserTokens(ctx, { tenant, client, grant, user, scope, refreshToken: { kind: 'again', value: successor }, resource }, stillUnused);
        await recordRetry(ctx, grant, 'refresh_token.retry', request.ip, { refresh_token_id: row.id });
        return response;
      } catch (error) {
        // The child was used meanwhile: the family moved on after all.
        if (!(error instanceof ClaimLost)) throw error;
      }
    }
  }
  return replayDetected(ctx, row, request.ip);
}

export const refreshTokenGrant: Grant = {
  type: 'refresh_token',
  async handle(context: GrantContext): Promise<TokenResponse> {
    const { ctx, params, tenant, client } = context;
    assertPresent(params, 'refresh_token');
    const presented = params.get('refresh_token')!;
    const row = await findRefreshToken(ctx, presented, client);
    assert(row.revoked_at === null, new InvalidGrant('the refresh token was revoked'));
    if (row.rotated_at !== null) return retryOrReplay(context, row, presented);
    assert(row.expires_at > ctx.now(), new InvalidGrant('the refresh token has expired'));
    const grant = await requireLiveGrant(ctx, row.grant_id);
    const user = await requireActiveUser(ctx, grant);
    // RFC 8707 §2.2: an access token for one of the resources the grant authorized.
    const resource = await resourceForGrant(ctx, tenant, client, grantResources(grant.resources), params.get('resource'));
    const scope = narrowScope(params.get('scope'), splitScope(row.scope), client, resource);
    if (!tenant.settings.refresh_token_rotation) return issueUserTokens(ctx, { tenant, client, grant, user, scope, refreshToken: { kind: 'none' }, resource });
    // The rotation is claimed in the same transaction that stores the new tokens: of concurrent requests with
    // this token exactly one commits; the others roll back and are retries or replays of it.
    const claim = (trx: Database) => refreshTokenQueries(trx).markRotated(row.token_hash, ctx.now());
    const successor = successorRefreshToken(ctx, presented);
    try {
      return await issueUserTokens(ctx, { tenant, client, grant, user, scope, refreshToken: { kind: 'new', value: successor }, resource }, claim);
    } catch (error) {
      if (!(error instanceof ClaimLost)) throw error;
      return retryOrReplay(context, (await refreshTokenQueries(ctx.db).findByHash(row.token_hash))!, presented);
    }
  },
};
