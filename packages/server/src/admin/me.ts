/**
 * GET /admin/v1/me: who the caller is and what it may do. The console shows only the controls the signed-in
 * principal may use from this answer; the API still checks every call (the console is never the guard).
 */
import { userQueries } from '../db/queries/users.ts';
import { isReadOnly } from './admin-authority.ts';
import { adminRoute } from './admin-route.ts';
import { boolean, named, nullableString, object, string } from './json-schema.ts';

export const MeSchema = named(
  'Me',
  object({
    type: { type: 'string', enum: ['user', 'client'] },
    id: string(),
    role: { type: 'string', enum: ['auditor', 'tenant_admin', 'partner_admin', 'super_admin'] },
    tenant_id: string({ description: 'the tenant the principal belongs to' }),
    tenant_slug: string(),
    partner_id: nullableString(),
    email: nullableString(),
    can: object(
      {
        write: { ...boolean, description: 'false for read-only roles (auditor): every change answers 403' },
        manage_partners: { ...boolean, description: 'partners, creating and deleting tenants (super_admin)' },
        see_other_tenants: { ...boolean, description: 'more tenants than its own (partner_admin, super_admin)' },
        read_metrics: { ...boolean, description: 'the instance-wide metrics summary (super_admin)' },
      },
    ),
  }),
);

export const meRoutes = [
  adminRoute({
    method: 'GET', path: '/me', operationId: 'getMe', summary: 'The calling admin: role, home tenant and what it may do', tag: 'Meta',
    status: 200, response: MeSchema,
    async handle({ ctx, principal }) {
      const tenant = await ctx.tenants.byId(principal.tenantId);
      const user = principal.type === 'user' ? await userQueries(ctx.db).findById(principal.id) : undefined;
      const superAdmin = principal.role === 'super_admin';
      return {
        type: principal.type, id: principal.id, role: principal.role, tenant_id: principal.tenantId, tenant_slug: tenant?.slug ?? '', partner_id: principal.partnerId,
        email: user?.email ?? null,
        can: { write: !isReadOnly(principal.role), manage_partners: superAdmin, see_other_tenants: superAdmin || principal.role === 'partner_admin', read_metrics: superAdmin },
      };
    },
  }),
];
