/**
 * The token endpoint (RFC 6749 §3.2), per tenant at `/t/<tenant>/oauth2/token` and globally at `/oauth2/token`
 * and `/application/o/token/` (seed 000), where the tenant is found from the client (client ids are unique).
 * Steps: read parameters → limit per IP → find the grant → limit per client → authenticate the client → check
 * the client's tenant and grant types → run the grant → respond with `Cache-Control: no-store`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { InvalidClient, TooManyRequests, UnauthorizedClient, UnsupportedGrantType } from '../errors/oauth-error.ts';
import { authenticateClient, readClientCredentials } from './client-authentication.ts';
import { grants } from './grants/index.ts';
import { cachedClientFinder } from './issuance-cache.ts';
import type { Grant } from './grants/grant.ts';
import { assertLengths, assertPresent, readBodyParams } from './request-params.ts';
import type { Params } from './request-params.ts';
import { tenantForClient } from '../directory/tenant-settings.ts';
import { requireTenantBySlug } from '../directory/tenants.ts';

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
    await enforceRateLimit(ctx, `token:ip:${request.ip}`, ctx.config.rateLimitPerIp);
    const grant = findGrant(params);
    const presented = readClientCredentials(request, params);
    await enforceRateLimit(ctx, `token:client:${presented.clientId}`, ctx.config.rateLimitPerClient);
    const { client, method } = await authenticateClient(ctx.db, presented, findClient);
    const tenant = await resolveTenant(ctx, request.params.tenant, client.tenantId);
    if (!client.grantTypes.includes(grant.type)) throw new UnauthorizedClient(`this client may not use the ${grant.type} grant`);
    const response = await grant.handle({ ctx, request, params, tenant: tenantForClient(tenant, client), client, clientAuthMethod: method });
    ctx.metrics.tokensIssued.inc({ grant_type: grant.type });
    return reply.send(response);
  };
}
