/**
 * Role assignments: /users/{userId}/roles and /groups/{groupId}/roles (held directly, not through groups).
 * A user's roles are part of that principal: changing them passes the admins-act-downward rule.
 */
import { roleQueries } from '../db/queries/roles.ts';
import { requireGroup } from '../directory/groups.ts';
import { assignRoleToGroup, assignRoleToUser, describeRole, unassignRoleFromGroup, unassignRoleFromUser } from '../directory/roles.ts';
import { requireUser } from '../directory/users.ts';
import { authorizeOnUserId } from './admin-authority.ts';
import { adminRoute } from './admin-route.ts';
import { auditedChange } from './audited-change.ts';
import { pathParams } from './json-schema.ts';
import { RoleListSchema } from './roles.ts';
import { tenantInPath } from './tenant-scope.ts';
import type { TenantParams } from './tenant-scope.ts';

type UserParams = TenantParams & { userId: string };
type GroupParams = TenantParams & { groupId: string };
const tag = 'Role assignments';

export const roleAssignmentRoutes = [
  adminRoute<UserParams>({
    method: 'GET', path: '/tenants/:tenant/users/:userId/roles', operationId: 'listUserRoles', summary: 'Roles a user holds directly', tag,
    params: pathParams('tenant', 'userId'), status: 200, response: RoleListSchema,
    async handle({ ctx, principal, params }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const user = await requireUser(ctx.db, tenant.id, params.userId);
      return { data: (await roleQueries(ctx.db).ofUser(user.id)).map(describeRole) };
    },
  }),
  adminRoute<UserParams & { roleId: string }>({
    method: 'PUT', path: '/tenants/:tenant/users/:userId/roles/:roleId', operationId: 'assignUserRole', summary: 'Give a user (or service account) a role', tag,
    params: pathParams('tenant', 'userId', 'roleId'), status: 204, response: null,
    async handle(call) {
      const { ctx, principal, params } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      await auditedChange(call, async (db) => {
        await authorizeOnUserId(db, principal, tenant.id, params.userId);
        return assignRoleToUser(db, tenant.id, params.userId, params.roleId, ctx.now());
      }, () => ({ action: 'role.assign', tenantId: tenant.id, target: { type: 'user', id: params.userId }, details: { role_id: params.roleId } }));
    },
  }),
  adminRoute<UserParams & { roleId: string }>({
    method: 'DELETE', path: '/tenants/:tenant/users/:userId/roles/:roleId', operationId: 'unassignUserRole', summary: 'Take a directly held role from a user', tag,
    params: pathParams('tenant', 'userId', 'roleId'), status: 204, response: null,
    async handle(call) {
      const { ctx, principal, params } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      await auditedChange(call, async (db) => {
        await authorizeOnUserId(db, principal, tenant.id, params.userId);
        return unassignRoleFromUser(db, tenant.id, params.userId, params.roleId);
      }, () => ({ action: 'role.unassign', tenantId: tenant.id, target: { type: 'user', id: params.userId }, details: { role_id: params.roleId } }));
    },
  }),
  adminRoute<GroupParams>({
    method: 'GET', path: '/tenants/:tenant/groups/:groupId/roles', operationId: 'listGroupRoles', summary: 'Roles mapped to a group', tag,
    params: pathParams('tenant', 'groupId'), status: 200, response: RoleListSchema,
    async handle({ ctx, principal, params }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const group = await requireGroup(ctx.db, tenant.id, params.groupId);
      return { data: (await roleQueries(ctx.db).ofGroup(group.id)).map(describeRole) };
    },
  }),
  adminRoute<GroupParams & { roleId: string }>({
    method: 'PUT', path: '/tenants/:tenant/groups/:groupId/roles/:roleId', operationId: 'assignGroupRole', summary: 'Map a role to a group (every member, also through nesting, holds it)', tag,
    params: pathParams('tenant', 'groupId', 'roleId'), status: 204, response: null,
    async handle(call) {
      const { ctx, principal, params } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      await auditedChange(call, (db) => assignRoleToGroup(db, tenant.id, params.groupId, params.roleId, ctx.now()), () => ({ action: 'role.assign', tenantId: tenant.id, target: { type: 'group', id: params.groupId }, details: { role_id: params.roleId } }));
    },
  }),
  adminRoute<GroupParams & { roleId: string }>({
    method: 'DELETE', path: '/tenants/:tenant/groups/:groupId/roles/:roleId', operationId: 'unassignGroupRole', summary: 'Unmap a role from a group', tag,
    params: pathParams('tenant', 'groupId', 'roleId'), status: 204, response: null,
    async handle(call) {
      const { ctx, principal, params } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      await auditedChange(call, (db) => unassignRoleFromGroup(db, tenant.id, params.groupId, params.roleId), () => ({ action: 'role.unassign', tenantId: tenant.id, target: { type: 'group', id: params.groupId }, details: { role_id: params.roleId } }));
    },
  }),
];
