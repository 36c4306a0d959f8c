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
import type { RefreshTokenRow } from '../../../db/queries/refresh-tokens.ts';
import type { Database } from '../../../db/database.ts';
import type { Tenant } from '../../../db/queries/tenants.ts';
import type { UserRow } from '../../../db/queries/users.ts';
import { issueAccessToken } from '../../../tokens/access-token.ts';
import { issueIdToken } from '../../../tokens/id-token.ts';
import { federatedSessionClaims } from '../../../federation/session-claims.ts';
import { generateOpaqueToken, hashSecret } from '../../../tokens/opaque.ts';
import { newId } from '../../../util/ids.ts';
import { principalClaims } from '../../principal-claims.ts';
import { acrOf, parseAmr } from '../../../authentication/amr.ts';
import type { TokenResponse } from '../grant.ts';
import type { ApiResource } from '../../../resources/api-resources.ts';
import { scopeForResource } from '../../../resources/resource-indicators.ts';

export interface UserTokenRequest {
  readonly tenant: Tenant;
  readonly client: Client;
  readonly grant: GrantRow;
  readonly user: UserRow;
  readonly scope: readonly string[];
  /** Only on the code exchange (OpenID Connect Core §3.1.3.6). */
  readonly nonce?: string | null;
  /** The refresh token of the answer (only for a client that may refresh). */
  readonly refreshToken: RefreshTokenPlan;
  /** RFC 8707: the API resource the access token is for (its scope cut to the resource's); the refresh token keeps the grant's. */
  readonly resource?: ApiResource | undefined;
}

/**
 * `new`: store a new refresh token (of `value` when it is derived, `successor-token.ts`; random otherwise).
 * `again`: hand out again the one an earlier answer carried (a retry within the reuse grace; nothing is stored).
 * `none`: the refresh token presented stays valid (rotation turned off).
 */
export type RefreshTokenPlan = { readonly kind: 'new'; readonly value?: string } | { readonly kind: 'again'; readonly value: string } | { readonly kind: 'none' };

/** A new refresh token of the grant (the value, and the row that stores only its SHA-256). */
function newRefreshToken(ctx: Latchkey, tenant: Tenant, grant: GrantRow, scope: readonly string[], value?: string): { token: string; row: RefreshTokenRow } {
  const token = value ?? generateOpaqueToken(32);
  const now = ctx.now();
  return {
    token,
    row: {
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
    },
  };
}

/** Creates a refresh token of the grant; only its SHA-256 is stored. */
export async function createRefreshToken(ctx: Latchkey, tenant: Tenant, grant: GrantRow, scope: readonly string[]): Promise<string> {
  const { token, row } = newRefreshToken(ctx, tenant, grant, scope);
  await refreshTokenQueries(ctx.db).insert(row);
  return token;
}

/** The `amr` and `acr` of a grant: as recorded at sign-in (grants older than strong sign-in were passwords). */
function grantAuthentication(grant: GrantRow): { amr: string[]; acr: string } {
  const amr = parseAmr(grant.amr);
  return { amr, acr: grant.acr ?? acrOf(amr) };
}

/** Thrown out of the writes' transaction when `claim` lost its race, so nothing of this issuance is stored. */
export class ClaimLost extends Error {
  override name = 'ClaimLost';
}

/**
 * Signs every token first, then stores what must be stored in ONE transaction: `claim` (the code's consumption,
 * the refresh token's conditional rotation, or a refresh retry's check that the family has not moved on), the access
 * token's jti and the new refresh token. A crash before the commit leaves the code or refresh token unused
 * (issue 14). One commit instead of three: with SQLite's synchronous=FULL each commit is an fsync, and they
 * were most of a refresh's cost (bench/, scenario 3). When `claim` returns false the transaction rolls back
 * and `ClaimLost` is thrown.
 */
export async function issueUserTokens(ctx: Latchkey, request: UserTokenRequest, claim?: (trx: Database) => Promise<boolean>): Promise<TokenResponse> {
  const { tenant, client, grant, user, scope } = request;
  const claims: Record<string, unknown> = { ...(await principalClaims(ctx, tenant, client, user, scope)), auth_time: Math.floor(grant.auth_time / 1000) };
  if (grant.session_id) claims.sid = grant.session_id;
  // RFC 8176 / OpenID Connect Core §2: how the user signed in, for resource servers that demand more (RFC 9470).
  const authentication = grantAuthentication(grant);
  Object.assign(claims, authentication);
  const accessScope = scopeForResource(scope, request.resource);
  const accessToken = await issueAccessToken(ctx, { tenant, client, subject: user.id, scope: accessScope, claims, resource: request.resource });
  const plan = client.grantTypes.includes('refresh_token') ? request.refreshToken : ({ kind: 'none' } as const);
  const refreshToken = plan.kind === 'new' ? newRefreshToken(ctx, tenant, grant, scope, plan.value) : undefined;
  const idToken = scope.includes('openid')
    ? await issueIdToken(ctx, { tenant, client, user, scope, authTime: grant.auth_time, ...authentication, nonce: request.nonce ?? null, sessionId: grant.session_id, accessToken: accessToken.token, federation: await federatedSessionClaims(ctx.db, grant.session_id) })
    : undefined;
  await ctx.db.transaction().execute(async (trx) => {
    if (claim !== undefined && !(await claim(trx))) throw new ClaimLost('another request used this grant first');
    const grants = grantQueries(trx);
    const revokedAt = await grants.revokedAt(grant.id, ctx.dialect === 'postgres');
    await grants.recordAccessToken(grant.id, accessToken.jti, accessToken.expiresAt);
    if (revokedAt != null) {
      // A replayed code or refresh token revoked the grant while this request was signing: the request won its
      // own race, so the answer still goes out, but its tokens are dead like the rest of the family.
      await trx.insertInto('revoked_access_tokens').values({ jti: accessToken.jti, expires_at: accessToken.expiresAt }).onConflict((oc) => oc.column('jti').doNothing()).execute();
    }
    if (refreshToken !== undefined) await refreshTokenQueries(trx).insert({ ...refreshToken.row, revoked_at: revokedAt ?? null });
  });
  return {
    access_token: accessToken.token,
    token_type: 'Bearer',
    expires_in: accessToken.expiresIn,
    scope: accessScope.join(' '),
    ...(refreshToken !== undefined ? { refresh_token: refreshToken.token } : plan.kind === 'again' ? { refresh_token: plan.value } : {}),
    ...(idToken === undefined ? {} : { id_token: idToken }),
  };
}
