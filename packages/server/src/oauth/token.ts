/**
 * The token endpoint (RFC 6749 §3.2), per tenant at `/t/<tenant>/oauth2/token` and globally at `/oauth2/token`
 * and `/application/o/token/` (seed 000), where the tenant is found from the client (client ids are unique).
 * Steps: read parameters → limit per IP → find the grant → authenticate the client (a failure counts against the
 * claimed client's failure limit) → limit per client → check the client's tenant and grant types → run the
 * grant → respond with `Cache-Control: no-store`.
 *
 * The per-client limit counts only requests that authenticated: counted before the secret check, a stranger's
 * wrong secrets under a known client id would use up the real client's allowance (issue 13, item 2). Failed
 * authentications have a count of their own that throttles only further failures.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { InvalidClient, OAuthError, TooManyRequests, UnauthorizedClient, UnsupportedGrantType } from '../errors/oauth-error.ts';
import { authenticateClient, readClientCredentials } from './client-authentication.ts';
import type { AuthenticatedClient, PresentedCredentials } from './client-authentication.ts';
import type { Client } from '../db/queries/clients.ts';
import { grants } from './grants/index.ts';
import { cachedClientFinder } from './issuance-cache.ts';
import type { Grant } from './grants/grant.ts';
import { assertLengths, assertPresent, readBodyParams } from './request-params.ts';
import type { Params } from './request-params.ts';
import { tenantForClient } from '../directory/tenant-settings.ts';
import { requireTenantBySlug } from '../directory/tenants.ts';
import { addressKey } from '../http/rate-limit/address-key.ts';
import { isMetadataDocumentClientId, metadataDocumentClient } from '../resources/registration/metadata-document-clients.ts';

export function readTokenParams(request: FastifyRequest): Params {
  const params = readBodyParams(request.headers['content-type'], request.body, { allowJson: true });
  assertLengths(params);
  return params;
}

export async function enforceRateLimit(ctx: Latchkey, key: string, limit: number): Promise<void> {
  const decision = await ctx.rateLimiter.consume(key, limit, ctx.config.rateLimitWindow * 1000);
  if (!decision.allowed) {
    throw new TooManyRequests('too many requests; retry after the time in Retry-After', {
      headers: { 'Retry-After': String(decision.retryAfterSeconds) },
    });
  }
}

/** Authenticates the client; a failure is counted per claimed client id and answered 429 once over the limit. */
async function authenticateCounted(ctx: Latchkey, presented: PresentedCredentials, findClient: (clientId: string) => Promise<Client | undefined>): Promise<AuthenticatedClient> {
  try {
    return await authenticateClient(ctx.db, presented, findClient);
  } catch (error) {
    if (error instanceof OAuthError && error.error === 'invalid_client') {
      await enforceRateLimit(ctx, `token:auth-failed:client:${presented.clientId.slice(0, 200)}`, ctx.config.rateLimitPerClient);
    }
    throw error;
  }
}

/**
 * A client_id that is a URL names a client ID metadata document of the route's tenant; the global endpoints
 * cannot tell which tenant's, so there it is an unknown client.
 */
function clientFinderFor(ctx: Latchkey, tenantSlug: string | undefined, findClient: (clientId: string) => Promise<Client | undefined>) {
  return async (clientId: string): Promise<Client | undefined> => {
    if (!isMetadataDocumentClientId(clientId)) return findClient(clientId);
    if (tenantSlug === undefined) return undefined;
    return metadataDocumentClient(ctx, await requireTenantBySlug(ctx, tenantSlug), clientId);
  };
}

function findGrant(params: Params): Grant {
  assertPresent(params, 'grant_type');
  const grantType = params.get('grant_type')!;
  const grant = grants.get(grantType);
  if (grant === undefined) throw new UnsupportedGrantType(`grant_type "${grantType.slice(0, 64)}" is not supported`);
  return grant;
}

async function resolveTenant(ctx: Latchkey, routeTenantSlug: string | undefined, clientTenantId: string): Promise<Tenant> {
  if (routeTenantSlug === undefined) {
    const tenant = await ctx.tenants.byId(clientTenantId);
    if (tenant === undefined) throw new InvalidClient('client authentication failed');
    return tenant;
  }
  const tenant = await requireTenantBySlug(ctx, routeTenantSlug);
  // A client of another tenant is unknown here: the same answer as a wrong client id.
  if (tenant.id !== clientTenantId) throw new InvalidClient('client authentication failed');
  return tenant;
}

export function noStore(reply: FastifyReply): FastifyReply {
  // RFC 6749 §5.1
  return reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
}

export function tokenHandler(ctx: Latchkey) {
  const findClient = cachedClientFinder(ctx);
  return async function token(request: FastifyRequest<{ Params: { tenant?: string } }>, reply: FastifyReply) {
    noStore(reply);
    const params = readTokenParams(request);
    await enforceRateLimit(ctx, `token:ip:${addressKey(request.ip)}`, ctx.config.rateLimitPerIp);
    const grant = findGrant(params);
    const presented = readClientCredentials(request, params);
    const { client, method } = await authenticateCounted(ctx, presented, clientFinderFor(ctx, request.params.tenant, findClient));
    await enforceRateLimit(ctx, `token:client:${client.clientId}`, ctx.config.rateLimitPerClient);
    const tenant = await resolveTenant(ctx, request.params.tenant, client.tenantId);
    if (!client.grantTypes.includes(grant.type)) throw new UnauthorizedClient(`this client may not use the ${grant.type} grant`);
    const response = await grant.handle({ ctx, request, params, tenant: tenantForClient(tenant, client), client, clientAuthMethod: method });
    ctx.metrics.tokensIssued.inc({ grant_type: grant.type });
    return reply.send(response);
  };
}
