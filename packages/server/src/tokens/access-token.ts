/**
 * RFC 9068 JWT access tokens: `typ: at+jwt`, the tenant's current key (`kid`), and the claims every resource
 * server needs to decide offline: iss, sub, aud, exp, iat, jti, client_id, scope.
 */
import { randomUUID } from 'node:crypto';
import type { Latchkey } from '../context.ts';
import type { Client } from '../db/queries/clients.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { audienceFor } from '../admin/admin-audience.ts';
import { issuerFor } from '../directory/tenant-directory.ts';
import { signJwt } from './jose.ts';
import { InvalidTarget } from '../errors/oauth-error.ts';
import type { JWTPayload, SigningAlgorithm } from './jose.ts';

export interface AccessTokenRequest {
  readonly tenant: Tenant;
  readonly client: Client;
  readonly subject: string;
  readonly scope: readonly string[];
  /** Claims about the principal (email, groups, …) and the sign-in (auth_time, sid). */
  readonly claims?: Readonly<Record<string, unknown>>;
  /**
   * The API resource the token is for (RFC 8707): its identifier is the `aud`, its own lifetime (when set)
   * replaces the tenant's, and its allowed algorithm (when set) must be the one the tenant signs with. Without
   * it, `aud` is the client's audience (seed 000).
   */
  readonly resource?: { readonly identifier: string; readonly tokenLifetime: number | null; readonly signingAlg: SigningAlgorithm | null } | undefined;
  /** A shorter lifetime than the usual one (token exchange: never beyond the subject token), in seconds. */
  readonly maxLifetime?: number | undefined;
}

export interface IssuedAccessToken {
  readonly token: string;
  readonly jti: string;
  readonly expiresIn: number;
  readonly expiresAt: number;
}

export async function issueAccessToken(ctx: Latchkey, request: AccessTokenRequest): Promise<IssuedAccessToken> {
  const { tenant, client, resource } = request;
  const key = await ctx.signingKeys.activeKey(tenant.id, tenant.settings.signing_alg);
  // A tenant signs with one algorithm at a time (signing-keys.ts); a resource that accepts only another one gets
  // no token rather than one it would refuse.
  if (resource?.signingAlg && resource.signingAlg !== key.alg) {
    throw new InvalidTarget(`the resource accepts only ${resource.signingAlg} tokens and this tenant signs with ${key.alg} now`);
  }
  const now = ctx.now();
  const iat = Math.floor(now / 1000);
  const usual = resource?.tokenLifetime ?? tenant.settings.access_token_lifetime;
  const expiresIn = request.maxLifetime === undefined ? usual : Math.max(1, Math.min(usual, request.maxLifetime));
  const jti = randomUUID();
  const payload: JWTPayload = {
    ...request.claims,
    iss: issuerFor(ctx.config.baseUrl, tenant.slug),
    sub: request.subject,
    aud: resource?.identifier ?? audienceFor(ctx.config.baseUrl, client, request.scope),
    exp: iat + expiresIn,
    iat,
    jti,
    client_id: client.metadataUrl ?? client.clientId,
    scope: request.scope.join(' '),
  };
  const token = await signJwt(payload, key, { typ: 'at+jwt' });
  return { token, jti, expiresIn, expiresAt: (iat + expiresIn) * 1000 };
}
