/**
 * What the console's user page explains: /users/{userId}/permissions (each permission with the role and group
 * path it comes from) and /users/{userId}/sessions (browser sessions, newest first). Reads only.
 */
import { explainAccess } from '../directory/permission-sources.ts';
import { requireUser } from '../directory/users.ts';
import { sessionQueries } from '../db/queries/sessions.ts';
import { adminRoute, pageRequest, pageResponse } from './admin-route.ts';
import type { ListQuery } from './admin-route.ts';
import { boolean, dateTime, listQuery, named, nullableDateTime, object, pageOf, pathParams, string, stringList } from './json-schema.ts';
import { tenantInPath } from './tenant-scope.ts';
import type { TenantParams } from './tenant-scope.ts';

const sourceProperties = {
  role_id: string(), role: string(),
  group_path: { ...stringList, description: 'empty: held directly; else the user\'s group first, then each parent up to the group the role is mapped to' },
};
const RoleSourceSchema = named('RoleSource', object(sourceProperties));
export const ExplainedAccessSchema = named(
  'ExplainedAccess',
  object({
    roles: { type: 'array', items: object({ ...sourceProperties, permissions: stringList }) },
    permissions: { type: 'array', items: object({ permission: string(), sources: { type: 'array', items: RoleSourceSchema } }), description: 'the union, each permission with every source' },
  }),
);
export const SessionSchema = named(
  'BrowserSession',
  object({ id: string(), created_at: dateTime, auth_time: dateTime, expires_at: dateTime, ended_at: nullableDateTime, live: boolean }),
);
type UserParams = TenantParams & { userId: string };
const tag = 'Users';
const iso = (ms: number) => new Date(ms).toISOString();

export const userDetailRoutes = [
  adminRoute<UserParams>({
    method: 'GET', path: '/tenants/:tenant/users/:userId/permissions', operationId: 'explainUserPermissions',
    summary: 'Effective permissions with their sources: the role, and the group path it is held through', tag,
    params: pathParams('tenant', 'userId'), status: 200, response: ExplainedAccessSchema,
    async handle({ ctx, principal, params }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const user = await requireUser(ctx.db, tenant.id, params.userId);
      const access = await explainAccess(ctx.db, user.id);
      const source = (s: { roleId: string; role: string; groupPath: readonly string[] }) => ({ role_id: s.roleId, role: s.role, group_path: [...s.groupPath] });
      return {
        roles: access.roles.map((r) => ({ ...source(r), permissions: [...r.permissions] })),
        permissions: access.permissions.map((p) => ({ permission: p.permission, sources: p.sources.map(source) })),
      };
    },
  }),
  adminRoute<UserParams, ListQuery>({
    method: 'GET', path: '/tenants/:tenant/users/:userId/sessions', operationId: 'listUserSessions', summary: 'Browser sessions of a user, newest first (sign them all out with POST …/sign-out)', tag,
    params: pathParams('tenant', 'userId'), query: listQuery(), status: 200, response: pageOf('SessionPage', SessionSchema),
    async handle({ ctx, principal, params, query }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const user = await requireUser(ctx.db, tenant.id, params.userId);
      const now = ctx.now();
      return pageResponse(await sessionQueries(ctx.db).listOfUser(user.id, pageRequest(query)), (row) => ({
        id: row.id, created_at: iso(row.created_at), auth_time: iso(row.auth_time), expires_at: iso(row.expires_at),
        ended_at: row.ended_at === null ? null : iso(row.ended_at), live: row.ended_at === null && row.expires_at > now,
      }));
    },
  }),
];
