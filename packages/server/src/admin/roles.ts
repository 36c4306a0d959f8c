/** /admin/v1/tenants/{tenant}/roles: roles with their permission strings. */
import { roleQueries } from '../db/queries/roles.ts';
import { createRole, deleteRole, describeRole, requireRole, updateRole } from '../directory/roles.ts';
import { adminRoute, pageRequest, pageResponse } from './admin-route.ts';
import type { ListQuery } from './admin-route.ts';
import { auditedChange } from './audited-change.ts';
import { dateTime, listQuery, named, nullableString, object, pageOf, patchBody, pathParams, string, stringList } from './json-schema.ts';
import { tenantInPath } from './tenant-scope.ts';
import type { TenantParams } from './tenant-scope.ts';

export const RoleSchema = named('Role', object({ id: string(), tenant_id: string(), name: string(), description: nullableString(), permissions: stringList, created_at: dateTime, updated_at: dateTime }));
export const RoleListSchema = named('RoleList', object({ data: { type: 'array', items: RoleSchema } }));
const fields = {
  name: string({ minLength: 1, maxLength: 100 }),
  description: nullableString({ maxLength: 1000 }),
  permissions: { type: 'array', maxItems: 500, items: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:*/-]{0,127}$' }, description: 'permission strings such as mail.send' },
};
type RoleBody = { name?: string; description?: string | null; permissions?: string[] };
type RoleParams = TenantParams & { roleId: string };
const tag = 'Roles';

export const roleRoutes = [
  adminRoute<TenantParams, ListQuery & { name?: string }>({
    method: 'GET', path: '/tenants/:tenant/roles', operationId: 'listRoles', summary: 'List roles; filter by name', tag,
    params: pathParams('tenant'), query: listQuery({ name: string() }), status: 200, response: pageOf('RolePage', RoleSchema),
    async handle({ ctx, principal, params, query }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      return pageResponse(await roleQueries(ctx.db).list(tenant.id, query, pageRequest(query)), describeRole);
    },
  }),
  adminRoute<TenantParams, Record<string, never>, RoleBody>({
    method: 'POST', path: '/tenants/:tenant/roles', operationId: 'createRole', summary: 'Create a role', tag,
    params: pathParams('tenant'), body: object(fields, ['description', 'permissions']), status: 201, response: RoleSchema,
    async handle(call) {
      const tenant = await tenantInPath(call.ctx, call.principal, call.params.tenant);
      const role = await auditedChange(call, (db) => createRole(db, tenant.id, call.body, call.ctx.now()), (r) => ({ action: 'role.create', tenantId: tenant.id, target: { type: 'role', id: r.id }, details: { name: r.name, permissions: r.permissions } }));
      return describeRole(role);
    },
  }),
  adminRoute<RoleParams>({
    method: 'GET', path: '/tenants/:tenant/roles/:roleId', operationId: 'getRole', summary: 'Read a role', tag,
    params: pathParams('tenant', 'roleId'), status: 200, response: RoleSchema,
    async handle({ ctx, principal, params }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      return describeRole(await requireRole(ctx.db, tenant.id, params.roleId));
    },
  }),
  adminRoute<RoleParams, Record<string, never>, RoleBody>({
    method: 'PATCH', path: '/tenants/:tenant/roles/:roleId', operationId: 'updateRole', summary: 'Rename a role or replace its permissions', tag,
    params: pathParams('tenant', 'roleId'), body: patchBody(fields), status: 200, response: RoleSchema,
    async handle(call) {
      const tenant = await tenantInPath(call.ctx, call.principal, call.params.tenant);
      const role = await auditedChange(call, (db) => updateRole(db, tenant.id, call.params.roleId, call.body, call.ctx.now()), (r) => ({ action: 'role.update', tenantId: tenant.id, target: { type: 'role', id: r.id }, details: { fields: Object.keys(call.body), permissions: r.permissions } }));
      return describeRole(role);
    },
  }),
  adminRoute<RoleParams>({
    method: 'DELETE', path: '/tenants/:tenant/roles/:roleId', operationId: 'deleteRole', summary: 'Delete a role (every assignment of it goes too)', tag,
    params: pathParams('tenant', 'roleId'), status: 204, response: null,
    async handle(call) {
      const tenant = await tenantInPath(call.ctx, call.principal, call.params.tenant);
      await auditedChange(call, (db) => deleteRole(db, tenant.id, call.params.roleId), (r) => ({ action: 'role.delete', tenantId: tenant.id, target: { type: 'role', id: r.id }, details: { name: r.name } }));
    },
  }),
];
