/** /admin/v1/tenants/{tenant}/groups: groups and their nesting (several parents; a cycle is refused with 409). */
import { groupQueries } from '../db/queries/groups.ts';
import { createGroup, deleteGroup, describeGroup, nestGroup, requireGroup, unnestGroup, updateGroup } from '../directory/groups.ts';
import { adminRoute, pageRequest, pageResponse } from './admin-route.ts';
import type { ListQuery } from './admin-route.ts';
import { auditedChange } from './audited-change.ts';
import { dateTime, listQuery, named, nullableString, object, pageOf, patchBody, pathParams, string } from './json-schema.ts';
import { tenantInPath } from './tenant-scope.ts';
import type { TenantParams } from './tenant-scope.ts';

export const GroupSchema = named('Group', object({ id: string(), tenant_id: string(), name: string(), description: nullableString(), created_at: dateTime, updated_at: dateTime }));
export const GroupListSchema = named('GroupList', object({ data: { type: 'array', items: GroupSchema } }));
const fields = { name: string({ minLength: 1, maxLength: 200 }), description: nullableString({ maxLength: 1000 }) };
type GroupBody = { name?: string; description?: string | null };
type GroupParams = TenantParams & { groupId: string };
type EdgeParams = GroupParams & { parentId: string };
const tag = 'Groups';

const GroupEdgeSchema = named('GroupEdge', object({ child_group_id: string(), parent_group_id: string() }));

export const groupRoutes = [
  adminRoute<TenantParams, ListQuery>({
    method: 'GET', path: '/tenants/:tenant/group-edges', operationId: 'listGroupEdges', summary: 'Every nesting edge of the tenant (child in parent), to draw the group tree', tag,
    params: pathParams('tenant'), query: listQuery(), status: 200, response: pageOf('GroupEdgePage', GroupEdgeSchema),
    async handle({ ctx, principal, params, query }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      return pageResponse(await groupQueries(ctx.db).edges(tenant.id, pageRequest(query)), (edge) => edge);
    },
  }),
  adminRoute<TenantParams, ListQuery & { name?: string }>({
    method: 'GET', path: '/tenants/:tenant/groups', operationId: 'listGroups', summary: 'List groups; filter by name', tag,
    params: pathParams('tenant'), query: listQuery({ name: string({ description: 'part of the name, case-insensitive' }) }), status: 200, response: pageOf('GroupPage', GroupSchema),
    async handle({ ctx, principal, params, query }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      return pageResponse(await groupQueries(ctx.db).list(tenant.id, query, pageRequest(query)), describeGroup);
    },
  }),
  adminRoute<TenantParams, Record<string, never>, GroupBody>({
    method: 'POST', path: '/tenants/:tenant/groups', operationId: 'createGroup', summary: 'Create a group', tag,
    params: pathParams('tenant'), body: object(fields, ['description']), status: 201, response: GroupSchema,
    async handle(call) {
      const tenant = await tenantInPath(call.ctx, call.principal, call.params.tenant);
      const group = await auditedChange(call, (db) => createGroup(db, tenant.id, call.body, call.ctx.now()), (g) => ({ action: 'group.create', tenantId: tenant.id, target: { type: 'group', id: g.id }, details: { name: g.name } }));
      return describeGroup(group);
    },
  }),
  adminRoute<GroupParams>({
    method: 'GET', path: '/tenants/:tenant/groups/:groupId', operationId: 'getGroup', summary: 'Read a group', tag,
    params: pathParams('tenant', 'groupId'), status: 200, response: GroupSchema,
    async handle({ ctx, principal, params }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      return describeGroup(await requireGroup(ctx.db, tenant.id, params.groupId));
    },
  }),
  adminRoute<GroupParams, Record<string, never>, GroupBody>({
    method: 'PATCH', path: '/tenants/:tenant/groups/:groupId', operationId: 'updateGroup', summary: 'Rename a group or change its description', tag,
    params: pathParams('tenant', 'groupId'), body: patchBody(fields), status: 200, response: GroupSchema,
    async handle(call) {
      const tenant = await tenantInPath(call.ctx, call.principal, call.params.tenant);
      const group = await auditedChange(call, (db) => updateGroup(db, tenant.id, call.params.groupId, call.body, call.ctx.now()), (g) => ({ action: 'group.update', tenantId: tenant.id, target: { type: 'group', id: g.id }, details: { fields: Object.keys(call.body) } }));
      return describeGroup(group);
    },
  }),
  adminRoute<GroupParams>({
    method: 'DELETE', path: '/tenants/:tenant/groups/:groupId', operationId: 'deleteGroup', summary: 'Delete a group (its memberships, nesting and role assignments go with it)', tag,
    params: pathParams('tenant', 'groupId'), status: 204, response: null,
    async handle(call) {
      const tenant = await tenantInPath(call.ctx, call.principal, call.params.tenant);
      await auditedChange(call, (db) => deleteGroup(db, tenant.id, call.params.groupId), (g) => ({ action: 'group.delete', tenantId: tenant.id, target: { type: 'group', id: g.id }, details: { name: g.name } }));
    },
  }),
  adminRoute<GroupParams>({
    method: 'GET', path: '/tenants/:tenant/groups/:groupId/parents', operationId: 'listGroupParents', summary: 'The direct parents of a group', tag,
    params: pathParams('tenant', 'groupId'), status: 200, response: GroupListSchema,
    async handle({ ctx, principal, params }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const group = await requireGroup(ctx.db, tenant.id, params.groupId);
      return { data: (await groupQueries(ctx.db).parents(group.id)).map(describeGroup) };
    },
  }),
  adminRoute<GroupParams>({
    method: 'GET', path: '/tenants/:tenant/groups/:groupId/children', operationId: 'listGroupChildren', summary: 'The groups nested directly in a group', tag,
    params: pathParams('tenant', 'groupId'), status: 200, response: GroupListSchema,
    async handle({ ctx, principal, params }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const group = await requireGroup(ctx.db, tenant.id, params.groupId);
      return { data: (await groupQueries(ctx.db).children(group.id)).map(describeGroup) };
    },
  }),
  adminRoute<EdgeParams>({
    method: 'PUT', path: '/tenants/:tenant/groups/:groupId/parents/:parentId', operationId: 'addGroupParent',
    summary: 'Nest a group in another (its members gain the parent\'s roles); 409 if it would make a cycle', tag,
    params: pathParams('tenant', 'groupId', 'parentId'), status: 204, response: null,
    async handle(call) {
      const { ctx, principal, params } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      await auditedChange(call, (db) => nestGroup(db, tenant.id, params.groupId, params.parentId, ctx.now()), () => ({ action: 'group.nest', tenantId: tenant.id, target: { type: 'group', id: params.groupId }, details: { parent_id: params.parentId } }));
    },
  }),
  adminRoute<EdgeParams>({
    method: 'DELETE', path: '/tenants/:tenant/groups/:groupId/parents/:parentId', operationId: 'removeGroupParent', summary: 'Take a group out of a parent', tag,
    params: pathParams('tenant', 'groupId', 'parentId'), status: 204, response: null,
    async handle(call) {
      const { ctx, principal, params } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      await auditedChange(call, (db) => unnestGroup(db, tenant.id, params.groupId, params.parentId), () => ({ action: 'group.unnest', tenantId: tenant.id, target: { type: 'group', id: params.groupId }, details: { parent_id: params.parentId } }));
    },
  }),
];
