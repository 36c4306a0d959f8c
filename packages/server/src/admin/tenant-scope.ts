import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import type { AdminPrincipal } from './admin-auth.ts';
import { requireTenantAccess } from './admin-auth.ts';

/** The tenant named in the path (by id `tnt_…` or by slug), if the caller may see it; otherwise 404. */
export async function tenantInPath(ctx: Latchkey, principal: AdminPrincipal, idOrSlug: string): Promise<Tenant> {
  const tenant = idOrSlug.startsWith('tnt_') ? await ctx.tenants.byId(idOrSlug) : await ctx.tenants.bySlug(idOrSlug);
  return requireTenantAccess(principal, tenant);
}

export type TenantParams = { readonly tenant: string };
