/**
 * The tokens of a user grant, shared by the authorization_code, refresh_token and password grants: a JWT access
 * token (whose jti is recorded with the grant, so revoking the grant reaches it), a new refresh token when the
 * client may refresh, and an ID token when `openid` was granted.
 */
import type { Latchkey } from '../../../context.ts';
import type { Client } from '../../../db/queries/clients.ts';
import { grantQueries } from '../../../db/queries/grants.ts';
import type { GrantRow } from '../../../db/queries/grants.ts';
import { refreshTokenQueries } from '../../../db/queries/refresh-tokens.ts';
import type { Tenant } from '../../../db/queries/tenants.ts';
import type { UserRow } from '../../../db/queries/users.ts';
import { issueAccessToken } from '../../../tokens/access-token.ts';
import { issueIdToken } from '../../../tokens/id-token.ts';
import { generateOpaqueToken, hashSecret } from '../../../tokens/opaque.ts';
import { newId } from '../../../util/ids.ts';
import { principalClaims } from '../../principal-claims.ts';
import type { TokenResponse } from '../grant.ts';

export interface UserTokenRequest {
  readonly tenant: Tenant;
  readonly client: Client;
  readonly grant: GrantRow;
  readonly user: UserRow;
  readonly scope: readonly string[];
  /** Only on the code exchange (OpenID Connect Core §3.1.3.6). */
  readonly nonce?: string | null;
  /** False when the refresh token presented stays valid (rotation turned off). */
  readonly newRefreshToken: boolean;
}

/** Creates a refresh token of the grant; only its SHA-256 is stored. */
export async function createRefreshToken(ctx: Latchkey, tenant: Tenant, grant: GrantRow, scope: readonly string[]): Promise<string> {
  const token = generateOpaqueToken(32);
  const now = ctx.now();
  await refreshTokenQueries(ctx.db).insert({
    token_hash: hashSecret(token),
    id: newId('rtk', now),
    grant_id: grant.id,
    tenant_id: tenant.id,
    client_id: grant.client_id,
    scope: scope.join(' '),
    created_at: now,
    expires_at: now + tenant.settings.refresh_token_lifetime * 1000,
    rotated_at: null,
    revoked_at: null,
  });
  return token;
}

export async function issueUserTokens(ctx: Latchkey, request: UserTokenRequest): Promise<TokenResponse> {
  const { tenant, client, grant, user, scope } = request;
  const claims: Record<string, unknown> = { ...(await principalClaims(ctx, tenant, client, user)), auth_time: Math.floor(grant.auth_time / 1000) };
  if (grant.session_id) claims.sid = grant.session_id;
  const accessToken = await issueAccessToken(ctx, { tenant, client, subject: user.id, scope, claims });
  await grantQueries(ctx.db).recordAccessToken(grant.id, accessToken.jti, accessToken.expiresAt);
  const refreshToken = request.newRefreshToken && client.grantTypes.includes('refresh_token') ? await createRefreshToken(ctx, tenant, grant, scope) : undefined;
  const idToken = scope.includes('openid')
    ? await issueIdToken(ctx, { tenant, client, user, scope, authTime: grant.auth_time, nonce: request.nonce ?? null, sessionId: grant.session_id, accessToken: accessToken.token })
    : undefined;
  return {
    access_token: accessToken.token,
    token_type: 'Bearer',
    expires_in: accessToken.expiresIn,
    scope: scope.join(' '),
    ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
    ...(idToken === undefined ? {} : { id_token: idToken }),
  };
}
