/** Introspects our JWT access tokens (RFC 9068): every claim of a valid token, `active:false` otherwise. */
import { checkAccessToken } from '../../tokens/verify-access-token.ts';
import type { Introspector } from './introspector.ts';

export const jwtAccessTokenIntrospector: Introspector = {
  tokenTypeHint: 'access_token',
  async introspect(token, { ctx, tenant }) {
    const checked = await checkAccessToken(ctx, tenant, token);
    if (!checked.valid) return checked.reason === 'not_a_jwt' ? undefined : { active: false };
    const claims = checked.payload;
    // RFC 7662 §2.2: the token's own claims (groups, roles, permissions, tenant per the client's token_claims).
    return { ...claims, active: true, token_type: 'Bearer', ...(typeof claims.preferred_username === 'string' ? { username: claims.preferred_username } : {}) };
  },
};
