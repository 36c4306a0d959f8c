/**
 * The UserInfo endpoint (OpenID Connect Core §5.3) at `<issuer>/oauth2/userinfo`, GET and POST. The access token
 * comes in the Authorization header or, for POST, the form body (RFC 6750 §2.1, §2.2; never both). Failures are
 * RFC 6750 §3 errors with `WWW-Authenticate: Bearer …`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import { clientQueries } from '../db/queries/clients.ts';
import { userQueries } from '../db/queries/users.ts';
import { requireTenantBySlug } from '../directory/tenants.ts';
import { issuerFor } from '../directory/tenant-directory.ts';
import { InsufficientScope, InvalidRequest, InvalidToken, OAuthError } from '../errors/oauth-error.ts';
import { checkAccessToken } from '../tokens/verify-access-token.ts';
import { mediaType, readBodyParams, splitScope } from './request-params.ts';
import { directoryClaims } from './principal-claims.ts';
import { userClaimsForScope } from './user-claims.ts';

type TenantRequest = FastifyRequest<{ Params: { tenant: string } }>;

type ErrorClass = typeof InvalidToken;

/** An RFC 6750 §3 error with its challenge; without any token the challenge carries no error code (§3.1). */
function bearerError(realm: string, ErrorType: ErrorClass, description: string, options: { withCode?: boolean; scope?: string } = {}): OAuthError {
  const probe = new ErrorType(description);
  const parts = [`realm="${realm}"`];
  if (options.withCode !== false) parts.push(`error="${probe.error}"`, `error_description="${description.replaceAll('"', "'")}"`);
  if (options.scope !== undefined) parts.push(`scope="${options.scope}"`);
  return new ErrorType(description, { headers: { 'WWW-Authenticate': `Bearer ${parts.join(', ')}` } });
}

export function readBearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const fromHeader = header !== undefined && /^bearer /i.test(header) ? header.slice(7).trim() : undefined;
  let fromBody: string | undefined;
  if (request.method === 'POST' && mediaType(request.headers['content-type']) === 'application/x-www-form-urlencoded') {
    fromBody = readBodyParams(request.headers['content-type'], request.body, { allowJson: false }).get('access_token');
  }
  if (fromHeader !== undefined && fromBody !== undefined) throw new InvalidRequest('the access token was sent in more than one way');
  return fromHeader || fromBody || undefined;
}

export function userinfoHandler(ctx: Latchkey) {
  return async function userinfo(request: TenantRequest, reply: FastifyReply) {
    reply.header('Cache-Control', 'no-store');
    const tenant = await requireTenantBySlug(ctx, request.params.tenant);
    const realm = issuerFor(ctx.config.baseUrl, tenant.slug);
    let token: string | undefined;
    try {
      token = readBearerToken(request);
    } catch (error) {
      if (error instanceof OAuthError) throw bearerError(realm, InvalidRequest, error.description);
      throw error;
    }
    if (token === undefined) throw bearerError(realm, InvalidToken, 'an access token is required', { withCode: false });
    const checked = await checkAccessToken(ctx, tenant, token);
    if (!checked.valid) {
      const why = checked.reason === 'expired' ? 'the access token has expired' : checked.reason === 'revoked' ? 'the access token was revoked' : 'the access token is invalid';
      throw bearerError(realm, InvalidToken, why);
    }
    const scope = splitScope(typeof checked.payload.scope === 'string' ? checked.payload.scope : undefined);
    if (!scope.includes('openid')) throw bearerError(realm, InsufficientScope, 'userinfo needs an access token with the openid scope', { scope: 'openid' });
    const user = typeof checked.payload.sub === 'string' ? await userQueries(ctx.db).findById(checked.payload.sub) : undefined;
    if (user === undefined || user.tenant_id !== tenant.id || user.status !== 'active') throw bearerError(realm, InvalidToken, 'the user of this access token is not active');
    // The directory claims the client's token_claims names (groups, permissions, …), as they are now.
    const client = typeof checked.payload.client_id === 'string' ? await clientQueries(ctx.db).findById(checked.payload.client_id) : undefined;
    const directory = client?.tenantId === tenant.id ? await directoryClaims(ctx, tenant, client, user) : {};
    return { sub: user.id, ...userClaimsForScope(user, scope), ...directory };
  };
}
