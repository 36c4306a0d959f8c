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
import type { JWTPayload } from './jose.ts';

export interface AccessTokenRequest {
  readonly tenant: Tenant;
  readonly client: Client;
  readonly subject: string;
  readonly scope: readonly string[];
  /** Claims about the principal (email, groups, …) and the sign-in (auth_time, sid). */
  readonly claims?: Readonly<Record<string, unknown>>;
}

export interface IssuedAccessToken {
  readonly token: string;
  readonly jti: string;
  readonly expiresIn: number;
  readonly expiresAt: number;
}

export async function issueAccessToken(ctx: Latchkey, request: AccessTokenRequest): Promise<IssuedAccessToken> {
  const { tenant, client } = request;
  const key = await ctx.signingKeys.activeKey(tenant.id, tenant.settings.signing_alg);
  const now = ctx.now();
  const iat = Math.floor(now / 1000);
  const expiresIn = tenant.settings.access_token_lifetime;
  const jti = randomUUID();
  const payload: JWTPayload = {
    ...request.claims,
    iss: issuerFor(ctx.config.baseUrl, tenant.slug),
    sub: request.subject,
    aud: audienceFor(ctx.config.baseUrl, client, request.scope),
    exp: iat + expiresIn,
    iat,
    jti,
    client_id: client.clientId,
    scope: request.scope.join(' '),
  };
  const token = await signJwt(payload, key, { typ: 'at+jwt' });
  return { token, jti, expiresIn, expiresAt: (iat + expiresIn) * 1000 };
}
