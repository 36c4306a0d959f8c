/**
 * Group memberships of users and service accounts: /groups/{groupId}/members and /users/{userId}/groups.
 * Adding or removing a member changes that principal: it passes the admins-act-downward rule.
 */
import { membershipQueries } from '../db/queries/memberships.ts';
import { addMember, describeGroup, removeMember, requireGroup } from '../directory/groups.ts';
import { describeUser, requireUser } from '../directory/users.ts';
import { authorizeOnUserId } from './admin-authority.ts';
import { adminRoute, pageRequest, pageResponse } from './admin-route.ts';
import type { ListQuery } from './admin-route.ts';
import { auditedChange } from './audited-change.ts';
import { GroupListSchema } from './groups.ts';
import { listQuery, pageOf, pathParams } from './json-schema.ts';
import { tenantInPath } from './tenant-scope.ts';
import type { TenantParams } from './tenant-scope.ts';
import { UserSchema } from './users.ts';

type GroupParams = TenantParams & { groupId: string };
type MemberParams = GroupParams & { userId: string };
const tag = 'Memberships';

export const membershipRoutes = [
  adminRoute<GroupParams, ListQuery>({
    method: 'GET', path: '/tenants/:tenant/groups/:groupId/members', operationId: 'listGroupMembers', summary: 'Direct members of a group', tag,
    params: pathParams('tenant', 'groupId'), query: listQuery(), status: 200, response: pageOf('MemberPage', UserSchema),
    async handle({ ctx, principal, params, query }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const group = await requireGroup(ctx.db, tenant.id, params.groupId);
      return pageResponse(await membershipQueries(ctx.db).members(group.id, pageRequest(query)), describeUser);
    },
  }),
  adminRoute<MemberParams>({
    method: 'PUT', path: '/tenants/:tenant/groups/:groupId/members/:userId', operationId: 'addGroupMember', summary: 'Add a user or service account to a group', tag,
    params: pathParams('tenant', 'groupId', 'userId'), status: 204, response: null,
    async handle(call) {
      const { ctx, principal, params } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      await auditedChange(call, async (db) => {
        await authorizeOnUserId(db, principal, tenant.id, params.userId);
        return addMember(db, tenant.id, params.groupId, params.userId, ctx.now());
      }, () => ({ action: 'group.member.add', tenantId: tenant.id, target: { type: 'user', id: params.userId }, details: { group_id: params.groupId } }));
    },
  }),
  adminRoute<MemberParams>({
    method: 'DELETE', path: '/tenants/:tenant/groups/:groupId/members/:userId', operationId: 'removeGroupMember', summary: 'Remove a user from a group (its next token no longer carries what the group gave)', tag,
    params: pathParams('tenant', 'groupId', 'userId'), status: 204, response: null,
    async handle(call) {
      const { ctx, principal, params } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      await auditedChange(call, async (db) => {
        await authorizeOnUserId(db, principal, tenant.id, params.userId);
        return removeMember(db, tenant.id, params.groupId, params.userId);
      }, () => ({ action: 'group.member.remove', tenantId: tenant.id, target: { type: 'user', id: params.userId }, details: { group_id: params.groupId } }));
    },
  }),
  adminRoute<TenantParams & { userId: string }>({
    method: 'GET', path: '/tenants/:tenant/users/:userId/groups', operationId: 'listUserGroups', summary: 'Groups a user is a direct member of', tag,
    params: pathParams('tenant', 'userId'), status: 200, response: GroupListSchema,
    async handle({ ctx, principal, params }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const user = await requireUser(ctx.db, tenant.id, params.userId);
      return { data: (await membershipQueries(ctx.db).groupsOf(user.id)).map(describeGroup) };
    },
  }),
];
