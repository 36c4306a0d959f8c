/**
 * Introspects refresh tokens: active while not rotated out, revoked or expired, and while their grant lives.
 * The principal's claims (groups, roles, permissions, tenant) come from the directory now, per the token's client.
 */
import { clientQueries } from '../../db/queries/clients.ts';
import { grantQueries } from '../../db/queries/grants.ts';
import { refreshTokenQueries } from '../../db/queries/refresh-tokens.ts';
import { userQueries } from '../../db/queries/users.ts';
import { issuerFor } from '../../directory/tenant-directory.ts';
import { hashSecret } from '../../tokens/opaque.ts';
import { isGrantAlive } from '../grants/shared/grant-checks.ts';
import { principalClaims } from '../principal-claims.ts';
import { principalAccessClaims } from './principal-access.ts';
import type { Introspector } from './introspector.ts';

export const refreshTokenIntrospector: Introspector = {
  tokenTypeHint: 'refresh_token',
  async introspect(token, { ctx, tenant }) {
    if (token.length > 256) return undefined;
    const row = await refreshTokenQueries(ctx.db).findByHash(hashSecret(token));
    if (row === undefined || row.tenant_id !== tenant.id) return undefined;
    const now = ctx.now();
    if (row.revoked_at !== null || row.rotated_at !== null || row.expires_at <= now) return { active: false };
    const grant = await grantQueries(ctx.db).findById(row.grant_id);
    if (!(await isGrantAlive(ctx, grant))) return { active: false };
    const [user, client] = await Promise.all([userQueries(ctx.db).findById(grant!.user_id), clientQueries(ctx.db).findById(row.client_id)]);
    if (user === undefined || user.status !== 'active' || client === undefined) return { active: false };
    const access = await principalAccessClaims(ctx, tenant, user.id);
    if (access === undefined) return { active: false };
    return {
      ...(await principalClaims(ctx, tenant, client, user, row.scope.split(' '))),
      ...access,
      active: true,
      token_type: 'refresh_token',
      scope: row.scope,
      client_id: row.client_id,
      sub: user.id,
      ...(user.username ? { username: user.username } : {}),
      iss: issuerFor(ctx.config.baseUrl, tenant.slug),
      iat: Math.floor(row.created_at / 1000),
      exp: Math.floor(row.expires_at / 1000),
      auth_time: Math.floor(grant!.auth_time / 1000),
      ...(grant!.session_id ? { sid: grant!.session_id } : {}),
    };
  },
};
