/**
 * Claims that describe the principal in access tokens: who it is (email, preferred_username: for a user, only
 * with the `email` / `profile` scopes) and, per the
 * client's `token_claims` setting, its groups, roles, permissions and tenant (issue: token contents).
 * Userinfo adds the same directory claims, resolved afresh, for the client the token was issued to.
 */
import type { Latchkey } from '../context.ts';
import type { Client } from '../db/queries/clients.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import type { UserRow } from '../db/queries/users.ts';
import { resolveAccess } from '../directory/access.ts';

export async function principalClaims(ctx: Latchkey, tenant: Tenant, client: Client, user: UserRow, scope?: readonly string[]): Promise<Record<string, unknown>> {
  const claims: Record<string, unknown> = {};
  // A user's token names them only as far as they consented (OpenID Connect Core §5.4: `email`, `profile`);
  // a client's service account (no scope given) always carries both, as seed 000's token claims show.
  if (user.email && (scope === undefined || scope.includes('email'))) claims.email = user.email;
  if (user.username && (scope === undefined || scope.includes('profile'))) claims.preferred_username = user.username;
  return { ...claims, ...(await directoryClaims(ctx, tenant, client, user)) };
}

/**
 * Groups, roles, permissions, tenant_id, tenant_slug, partner_id: whichever the client's `token_claims` names.
 * With `roles` comes `role`, the user's primary role when one is set (seed 003's `me.role`).
 */
export async function directoryClaims(ctx: Latchkey, tenant: Tenant, client: Client, user: Pick<UserRow, 'id'> & Partial<Pick<UserRow, 'role'>>): Promise<Record<string, unknown>> {
  const claims: Record<string, unknown> = {};
  const wanted = new Set(client.tokenClaims);
  if (wanted.has('groups') || wanted.has('roles') || wanted.has('permissions')) {
    const access = await resolveAccess(ctx.db, user.id);
    if (wanted.has('groups')) claims.groups = access.groups;
    if (wanted.has('roles')) claims.roles = access.roles;
    if (wanted.has('roles') && user.role) claims.role = user.role;
    if (wanted.has('permissions')) claims.permissions = access.permissions;
  }
  if (wanted.has('tenant_id')) claims.tenant_id = tenant.id;
  if (wanted.has('tenant_slug')) claims.tenant_slug = tenant.slug;
  if (wanted.has('partner_id')) claims.partner_id = tenant.partnerId;
  return claims;
}
