/**
 * Verifies an access token we issued, for userinfo and introspection: an RFC 9068 JWT (`typ: at+jwt`) signed by
 * one of the tenant's published keys, from the tenant's issuer, unexpired, and not revoked (RFC 7009).
 */
import type { Latchkey } from '../context.ts';
import { preparedQuery } from '../db/prepared-query.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { issuerFor } from '../directory/tenant-directory.ts';
import { JwtVerificationError, peekJwtHeader, verifyJwtWithJwks } from './jose.ts';
import type { JWTPayload } from './jose.ts';

// Every introspection and userinfo call asks, so the lookup is built once (`db/prepared-query.ts`).
const revokedJti = preparedQuery<{ jti: string }, { jti: string }>((db, { jti }) => db.selectFrom('revoked_access_tokens').select('jti').where('jti', '=', jti));

export type AccessTokenCheck =
  | { readonly valid: true; readonly payload: JWTPayload }
  | { readonly valid: false; readonly reason: 'not_a_jwt' | 'expired' | 'invalid' | 'revoked' };

export async function checkAccessToken(ctx: Latchkey, tenant: Tenant, token: string): Promise<AccessTokenCheck> {
  const header = peekJwtHeader(token);
  if (header === undefined) return { valid: false, reason: 'not_a_jwt' };
  let payload: JWTPayload;
  try {
    ({ payload } = await verifyJwtWithJwks(token, await ctx.signingKeys.jwks(tenant.id), { issuer: issuerFor(ctx.config.baseUrl, tenant.slug), typ: 'at+jwt' }));
  } catch (error) {
    if (error instanceof JwtVerificationError) return { valid: false, reason: error.reason };
    throw error;
  }
  if (typeof payload.jti === 'string') {
    const revoked = await revokedJti.execute(ctx.db, { jti: payload.jti });
    if (revoked.length > 0) return { valid: false, reason: 'revoked' };
  }
  return { valid: true, payload };
}
