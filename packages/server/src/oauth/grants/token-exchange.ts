/**
 * RFC 8693 token exchange: a client trades a subject token (an API key of this tenant, or an access token this
 * tenant issued) for a short-lived JWT access token for ONE API resource (RFC 8707 `resource`, or `audience`
 * naming the same identifier). Steps: read the request → the client's exchange policy → the resource → the
 * subject (read afresh: revocation and role loss show at once) → scope = requested ∩ resource ∩ subject's rights
 * → issue (never beyond the subject's own life) → audit (batched, `exchange-audit.ts`).
 */
import { InvalidRequest, InvalidScope, InvalidTarget, UnauthorizedClient, UnsupportedTokenType } from '../../errors/oauth-error.ts';
import { resolveResource } from '../../resources/resource-indicators.ts';
import { accessTokenSubject, apiKeySubject } from '../../resources/token-exchange/subjects.ts';
import type { ExchangeSubject } from '../../resources/token-exchange/subjects.ts';
import { TOKEN_EXCHANGE_GRANT, TOKEN_TYPES } from '../../resources/token-exchange-policy.ts';
import { cachedTokenExchangePolicy } from '../../resources/token-exchange/cached-lookups.ts';
import { exchangeAuditFor } from '../../resources/token-exchange/exchange-audit.ts';
import { issueAccessToken } from '../../tokens/access-token.ts';
import { assertPresent, splitScope } from '../request-params.ts';
import type { Params } from '../request-params.ts';
import type { Grant, GrantContext, TokenResponse } from './grant.ts';

const ISSUABLE = new Set<string>([TOKEN_TYPES.accessToken, TOKEN_TYPES.jwt]);

function subjectKind(type: string): 'api_key' | 'access_token' {
  if (type === TOKEN_TYPES.apiKey) return 'api_key';
  if (type === TOKEN_TYPES.accessToken || type === TOKEN_TYPES.jwt) return 'access_token';
  throw new UnsupportedTokenType(`subject_token_type ${type.slice(0, 100)} is not supported (use ${TOKEN_TYPES.apiKey} or ${TOKEN_TYPES.accessToken})`);
}

/** RFC 8693 §2.1: `resource` and `audience` both name the target here; one of them, once. */
function targetOf(params: Params): string {
  const resource = params.get('resource');
  const audience = params.get('audience');
  if (resource === undefined && audience === undefined) throw new InvalidRequest('name the API resource the token is for with resource (or audience)');
  if (resource !== undefined && audience !== undefined && resource !== audience) throw new InvalidTarget('resource and audience name different targets; name one');
  return (resource ?? audience)!;
}

function exchangedScope(requested: string | undefined, resourceScopes: readonly string[], subject: ExchangeSubject): string[] {
  const allowed = resourceScopes.filter((s) => subject.rights.has(s));
  if (requested === undefined) return allowed;
  const scope = splitScope(requested);
  const refused = scope.filter((s) => !allowed.includes(s));
  if (refused.length > 0) throw new InvalidScope(`scope not available to this subject at this resource: ${refused.join(' ')}`);
  return scope;
}

export const tokenExchangeGrant: Grant = {
  type: TOKEN_EXCHANGE_GRANT,
  async handle({ ctx, request, params, tenant, client }: GrantContext): Promise<TokenResponse> {
    // A subject token in the hands of an unauthenticated caller is a bearer credential already: exchanging it
    // needs a client that proved who it is.
    if (client.type !== 'confidential') throw new UnauthorizedClient('token exchange needs a confidential client');
    assertPresent(params, 'subject_token', 'subject_token_type');
    const requestedType = params.get('requested_token_type');
    if (requestedType !== undefined && !ISSUABLE.has(requestedType)) throw new InvalidRequest(`requested_token_type must be ${TOKEN_TYPES.accessToken}`);
    const kind = subjectKind(params.get('subject_token_type')!);
    if (kind === 'api_key' && params.get('actor_token') !== undefined) throw new InvalidRequest('an API key exchange takes no actor_token');
    if (params.get('actor_token') !== undefined && params.get('actor_token_type') !== TOKEN_TYPES.accessToken) throw new InvalidRequest(`actor_token_type must be ${TOKEN_TYPES.accessToken}`);
    const policy = await cachedTokenExchangePolicy(ctx, client.clientId);
    if (!policy.subject_token_types.includes(kind)) throw new UnauthorizedClient(`this client's token exchange policy does not accept ${kind} subject tokens`);
    const target = targetOf(params);
    if (policy.resources !== null && !policy.resources.includes(target)) throw new InvalidTarget('this client\'s token exchange policy does not allow that resource');
    const resource = await resolveResource(ctx, tenant, client, target);
    const subject = kind === 'api_key'
      ? await apiKeySubject(ctx, tenant, params.get('subject_token')!, request.ip)
      : await accessTokenSubject(ctx, tenant, client, policy, params.get('subject_token')!, params.get('actor_token'));
    const scope = exchangedScope(params.get('scope'), resource.scopes, subject);
    const remaining = subject.expiresAt === null ? policy.max_lifetime : Math.floor((subject.expiresAt - ctx.now()) / 1000);
    if (remaining < 1) throw new InvalidRequest('invalid subject_token: it expires now');
    const issued = await issueAccessToken(ctx, { tenant, client, subject: subject.subject, scope, claims: subject.claims, resource, maxLifetime: Math.min(policy.max_lifetime, remaining) });
    exchangeAuditFor(ctx).record({
      action: 'token.exchange',
      tenantId: tenant.id,
      actor: { type: 'client', id: client.clientId },
      target: { type: 'user', id: subject.subject },
      ip: request.ip,
      details: { subject_token_type: kind, resource: resource.identifier, scope: scope.join(' '), jti: issued.jti, ...subject.audit },
    }, ctx.now());
    // RFC 8693 §2.2.1
    return { access_token: issued.token, issued_token_type: TOKEN_TYPES.accessToken, token_type: 'Bearer', expires_in: issued.expiresIn, scope: scope.join(' ') };
  },
};
