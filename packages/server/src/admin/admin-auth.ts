/**
 * Who is calling the admin API. The credential is a Bearer access token (a JWT of one of our tenants) that
 * carries the `latchkey:admin` scope; then:
 *  - a user token (sub = a person) needs the user to hold `admin_role` (`tenant_admin` of its own tenant,
 *    `partner_admin` of every tenant of its tenant's partner, or `super_admin` of everything; an `auditor`
 *    reads its own tenant as a tenant_admin would and changes nothing);
 *  - a client token (client_credentials: sub = the client's service account) makes the client `tenant_admin` of
 *    its tenant, or what its service account holds when that is more (`partner_admin`, `super_admin`).
 * Requiring the scope means an ordinary sign-in token of an admin user (for some product) is not an admin
 * credential: the admin console asks for `latchkey:admin` explicitly, and a client must be allowed that scope.
 * The token's `aud` must also name the admin API (`admin-audience.ts`; tokens with the scope are minted so), so a
 * token issued for another resource server is refused even if it carries the scope.
 * Failures are RFC 6750 §3.1 answers with `WWW-Authenticate: Bearer …`.
 */
import type { FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import { clientQueries } from '../db/queries/clients.ts';
import { userQueries } from '../db/queries/users.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import type { AdminRole } from '../db/schema.ts';
import { issuerFor } from '../directory/tenant-directory.ts';
import { ADMIN_SCOPE, isForAdminApi } from './admin-audience.ts';
import { clientRights } from './admin-authority.ts';
import { AccessDenied, InsufficientScope, InvalidToken, NotFound } from '../errors/oauth-error.ts';
import { peekJwtClaims } from '../tokens/jose.ts';
import { checkAccessToken } from '../tokens/verify-access-token.ts';

export { ADMIN_SCOPE };
const REALM = 'latchkey-admin';

export interface AdminPrincipal {
  readonly type: 'user' | 'client';
  /** The user id, or the client id. */
  readonly id: string;
  readonly role: AdminRole;
  /** The tenant the principal belongs to (the only one a tenant_admin may see). */
  readonly tenantId: string;
  /** That tenant's partner: a partner_admin reaches every tenant of it. */
  readonly partnerId: string | null;
}

function challenge(error?: string, description?: string): Record<string, string> {
  const parts = [`realm="${REALM}"`];
  if (error) parts.push(`error="${error}"`);
  if (description) parts.push(`error_description="${description.replace(/["\\]/g, '')}"`);
  if (error === 'insufficient_scope') parts.push(`scope="${ADMIN_SCOPE}"`);
  return { 'WWW-Authenticate': `Bearer ${parts.join(', ')}` };
}

function invalidToken(description: string): InstanceType<typeof InvalidToken> {
  return new InvalidToken(description, { headers: challenge('invalid_token', description) });
}

function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  // RFC 6750 §3.1: no error code when the request carried no credentials.
  if (header === undefined) throw new InvalidToken('the admin API needs a Bearer access token', { headers: challenge() });
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(header);
  if (!match) throw new InvalidToken('the Authorization header must be "Bearer <token>"', { headers: challenge('invalid_request', 'malformed Authorization header') });
  return match[1]!;
}

async function tenantOfIssuer(ctx: Latchkey, issuer: unknown): Promise<Tenant> {
  const prefix = `${ctx.config.baseUrl}/t/`;
  if (typeof issuer !== 'string' || !issuer.startsWith(prefix)) throw invalidToken('the token was not issued by this server');
  const tenant = await ctx.tenants.bySlug(issuer.slice(prefix.length));
  if (!tenant || issuerFor(ctx.config.baseUrl, tenant.slug) !== issuer) throw invalidToken('the token was not issued by this server');
  return tenant;
}

export async function authenticateAdmin(ctx: Latchkey, request: FastifyRequest): Promise<AdminPrincipal> {
  const token = bearerToken(request);
  const tenant = await tenantOfIssuer(ctx, peekJwtClaims(token)?.iss);
  const checked = await checkAccessToken(ctx, tenant, token);
  if (!checked.valid) throw invalidToken(checked.reason === 'expired' ? 'the token has expired' : checked.reason === 'revoked' ? 'the token has been revoked' : 'the token is invalid');
  const payload = checked.payload;
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
  if (!scopes.includes(ADMIN_SCOPE)) throw new InsufficientScope(`the admin API needs the ${ADMIN_SCOPE} scope`, { headers: challenge('insufficient_scope') });
  // RFC 9068 §4: a token minted for another audience is not for us, whatever its scope says.
  if (!isForAdminApi(ctx.config.baseUrl, payload.aud)) throw invalidToken('the token was not issued for the admin API (aud)');
  const user = typeof payload.sub === 'string' ? await userQueries(ctx.db).findById(payload.sub) : undefined;
  if (!user || user.tenant_id !== tenant.id || user.status !== 'active') throw invalidToken('the token subject is unknown or not active');
  if (user.kind === 'service') {
    const client = typeof payload.client_id === 'string' ? await clientQueries(ctx.db).findById(payload.client_id) : undefined;
    if (!client || client.serviceUserId !== user.id) throw invalidToken('the client of this token no longer exists');
    // Taking the admin scope away from a client ends its admin access at once, not when its tokens expire.
    if (!client.scopes.includes(ADMIN_SCOPE)) throw invalidToken('the client of this token may no longer use the admin API');
    const role = clientRights(client.scopes, user.admin_role) as AdminRole; // never 'none': the client may request the admin scope
    return { type: 'client', id: client.clientId, role, tenantId: tenant.id, partnerId: tenant.partnerId };
  }
  if (user.admin_role === null) throw new AccessDenied('this user holds no admin role', { headers: challenge('insufficient_scope', 'no admin role') });
  return { type: 'user', id: user.id, role: user.admin_role, tenantId: tenant.id, partnerId: tenant.partnerId };
}

export function canAccessTenant(principal: AdminPrincipal, tenant: Pick<Tenant, 'id' | 'partnerId'>): boolean {
  if (principal.role === 'super_admin' || principal.tenantId === tenant.id) return true;
  return principal.role === 'partner_admin' && principal.partnerId !== null && tenant.partnerId === principal.partnerId;
}

/** Operations over all tenants (partners, creating tenants, granting super_admin). */
export function requireSuperAdmin(principal: AdminPrincipal): void {
  if (principal.role !== 'super_admin') throw new AccessDenied('only a super_admin may do this');
}

/** An admin asking about a tenant out of its reach learns nothing, not even that it exists: 404. */
export function requireTenantAccess(principal: AdminPrincipal, tenant: Tenant | undefined): Tenant {
  if (!tenant || !canAccessTenant(principal, tenant)) throw new NotFound('no such tenant');
  return tenant;
}
