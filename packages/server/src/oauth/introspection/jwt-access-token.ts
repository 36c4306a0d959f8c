/** Introspects our JWT access tokens (RFC 9068): every claim of a valid token, `active:false` otherwise. */
import { checkAccessToken } from '../../tokens/verify-access-token.ts';
import type { Introspector } from './introspector.ts';
import { principalAccessClaims } from './principal-access.ts';

export const jwtAccessTokenIntrospector: Introspector = {
  tokenTypeHint: 'access_token',
  async introspect(token, { ctx, tenant }) {
    const checked = await checkAccessToken(ctx, tenant, token);
    if (!checked.valid) return checked.reason === 'not_a_jwt' ? undefined : { active: false };
    const claims = checked.payload;
    const access = await principalAccessClaims(ctx, tenant, claims.sub);
    if (access === undefined) return { active: false };
    // RFC 7662 §2.2: the token's own claims, then the principal's tenant and current access.
    return {
      ...claims,
      ...access,
      active: true,
      token_type: 'Bearer',
      ...(typeof claims.preferred_username === 'string' ? { username: claims.preferred_username } : {}),
    };
  },
};
