/** RFC 6749 §4.4: a confidential client gets an access token for its own service account (seed 000). */
import { InvalidScope, UnauthorizedClient } from '../../errors/oauth-error.ts';
import { issueAccessToken } from '../../tokens/access-token.ts';
import { servicePrincipal } from '../issuance-cache.ts';
import { resolveResource } from '../../resources/resource-indicators.ts';
import { splitScope } from '../request-params.ts';
import type { Grant, GrantContext, TokenResponse } from './grant.ts';

/** Without a `scope` parameter the client gets every scope it is allowed except `offline_access`. */
export function grantedScope(requested: string | undefined, allowed: readonly string[]): string[] {
  if (requested === undefined) return allowed.filter((s) => s !== 'offline_access');
  const scopes = splitScope(requested);
  const refused = scopes.filter((s) => !allowed.includes(s));
  if (refused.length > 0) throw new InvalidScope(`scope not allowed for this client: ${refused.join(' ')}`);
  return scopes;
}

export const clientCredentialsGrant: Grant = {
  type: 'client_credentials',
  async handle({ ctx, params, tenant, client }: GrantContext): Promise<TokenResponse> {
    if (client.type !== 'confidential') throw new UnauthorizedClient('public clients cannot use client_credentials');
    // RFC 8707 §2: with `resource`, the token is for that API alone and its scopes are the resource's.
    const requested = params.get('resource');
    const resource = requested === undefined ? undefined : await resolveResource(ctx, tenant, client, requested);
    const scope = resource === undefined ? grantedScope(params.get('scope'), client.scopes) : grantedScope(params.get('scope'), resource.scopes);
    const principal = await servicePrincipal(ctx, tenant, client);
    if (principal !== undefined && principal.status !== 'active') throw new UnauthorizedClient('the service account of this client is disabled');
    // RFC 6749 §4.4.3: no refresh token for client_credentials.
    const accessToken = await issueAccessToken(ctx, { tenant, client, subject: principal?.id ?? client.clientId, scope, claims: principal?.claims ?? {}, resource });
    return { access_token: accessToken.token, token_type: 'Bearer', expires_in: accessToken.expiresIn, scope: scope.join(' ') };
  },
};
