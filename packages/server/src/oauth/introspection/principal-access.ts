/**
 * What every introspection answer about a user's token carries, whatever the client's `token_claims` put in the
 * token itself: the tenant and the user's groups, roles and permissions as the directory resolves them now (the
 * same fields as API key answers), so a resource server can authorize from introspection alone.
 */
import type { Latchkey } from '../../context.ts';
import type { Tenant } from '../../db/queries/tenants.ts';
import { userQueries } from '../../db/queries/users.ts';
import { resolveAccess } from '../../directory/access.ts';

/** Undefined when the subject is a user who is no longer active: the token is then inactive too. */
export async function principalAccessClaims(ctx: Latchkey, tenant: Tenant, subject: unknown): Promise<Record<string, unknown> | undefined> {
  const claims: Record<string, unknown> = { tenant_id: tenant.id, tenant_slug: tenant.slug, partner_id: tenant.partnerId };
  const user = typeof subject === 'string' ? await userQueries(ctx.db).findById(subject) : undefined;
  if (user === undefined || user.tenant_id !== tenant.id) return claims;
  if (user.status !== 'active') return undefined;
  const access = await resolveAccess(ctx.db, user.id);
  return { ...claims, groups: access.groups, roles: access.roles, permissions: access.permissions };
}
