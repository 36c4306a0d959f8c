/**
 * /admin/v1/tenants/{tenant}/users: people and service accounts, their primary role, admin role and access.
 * Changes pass the admins-act-downward rule (`admin-authority.ts`): no hands on a higher admin, no admin role
 * above one's own.
 */
import type { Database } from '../db/database.ts';
import { userAdminQueries } from '../db/queries/user-admin.ts';
import type { AdminRole, UserStatus } from '../db/schema.ts';
import { resolveAccess } from '../directory/access.ts';
import { deleteUser, hashUpdatePassword, updateUser } from '../directory/user-changes.ts';
import { signOutUser } from '../directory/user-sign-out.ts';
import { createUser, describeUser, requireUser } from '../directory/users.ts';
import { authorizeNewUser, authorizeOnUser } from './admin-authority.ts';
import { adminRoute, pageRequest, pageResponse } from './admin-route.ts';
import type { ListQuery } from './admin-route.ts';
import { auditedChange } from './audited-change.ts';
import { boolean, dateTime, listQuery, named, nullableString, object, pageOf, patchBody, pathParams, string, stringList } from './json-schema.ts';
import { tenantInPath } from './tenant-scope.ts';
import type { TenantParams } from './tenant-scope.ts';

const adminRoleSchema = { type: ['string', 'null'], enum: ['auditor', 'tenant_admin', 'partner_admin', 'super_admin', null] };
const statusSchema = { type: 'string', enum: ['active', 'disabled', 'locked'] };
export const UserSchema = named(
  'User',
  object({
    id: string(), tenant_id: string(), kind: { type: 'string', enum: ['person', 'service'] }, email: nullableString(), username: nullableString(),
    first_name: nullableString(), last_name: nullableString(), display_name: nullableString(), status: statusSchema,
    role: nullableString({ description: 'the primary role name' }), admin_role: adminRoleSchema, has_password: boolean, created_at: dateTime, updated_at: dateTime,
  }),
);
export const AccessSchema = named(
  'Access',
  object({
    groups: { ...stringList, description: 'groups the user is a direct member of' },
    all_groups: { ...stringList, description: 'every group reached through nesting' },
    roles: stringList,
    permissions: { ...stringList, description: 'union of the permissions of every role held directly or through any group' },
  }),
);
const editable = {
  email: nullableString({ maxLength: 320 }), first_name: nullableString({ maxLength: 200 }), last_name: nullableString({ maxLength: 200 }),
  display_name: nullableString({ maxLength: 200 }), status: statusSchema, role: nullableString({ maxLength: 100 }), admin_role: adminRoleSchema,
  password: string({ minLength: 8, maxLength: 1024, writeOnly: true }),
};
const UserInput = object({ ...editable, username: nullableString({ maxLength: 100 }) }, [...Object.keys(editable), 'username']);
const UserPatch = patchBody(editable);
interface UserBody {
  email?: string | null; username?: string | null; first_name?: string | null; last_name?: string | null; display_name?: string | null;
  status?: UserStatus; role?: string | null; admin_role?: AdminRole | null; password?: string;
}
type UserParams = TenantParams & { userId: string };
const tag = 'Users';

export const userRoutes = [
  adminRoute<TenantParams, ListQuery & { email?: string; name?: string; group?: string; kind?: 'person' | 'service'; q?: string }>({
    method: 'GET', path: '/tenants/:tenant/users', operationId: 'listUsers', summary: 'List users (keyset pages in creation order); search or filter by email, name or group', tag,
    params: pathParams('tenant'),
    query: listQuery({
      email: string({ description: 'exact, case-insensitive' }), name: string({ description: 'part of the display name' }), group: string({ description: 'direct members of this group id' }), kind: { type: 'string', enum: ['person', 'service'] },
      q: string({ minLength: 1, maxLength: 200, description: 'search: part of the email, username or display name, case-insensitive' }),
    }),
    status: 200, response: pageOf('UserPage', UserSchema),
    async handle({ ctx, principal, params, query }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      return pageResponse(await userAdminQueries(ctx.db).list(tenant.id, query, pageRequest(query)), describeUser);
    },
  }),
  adminRoute<TenantParams, Record<string, never>, UserBody>({
    method: 'POST', path: '/tenants/:tenant/users', operationId: 'createUser', summary: 'Create a user', tag,
    params: pathParams('tenant'), body: UserInput, status: 201, response: UserSchema,
    async handle(call) {
      const { ctx, principal, params, body } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const input = { email: body.email, username: body.username, password: body.password, firstName: body.first_name, lastName: body.last_name, displayName: body.display_name, status: body.status, role: body.role };
      const user = await auditedChange(
        call,
        async (db) => {
          authorizeNewUser(principal, body.admin_role);
          const created = await createUser(ctx, tenant, input, db);
          return body.admin_role ? updateUser(db, tenant.id, created.id, { adminRole: body.admin_role }, ctx.now()) : created;
        },
        (u) => ({ action: 'user.create', tenantId: tenant.id, target: { type: 'user', id: u.id }, details: { admin_role: u.admin_role } }),
      );
      return describeUser(user);
    },
  }),
  adminRoute<UserParams>({
    method: 'GET', path: '/tenants/:tenant/users/:userId', operationId: 'getUser', summary: 'Read a user', tag,
    params: pathParams('tenant', 'userId'), status: 200, response: UserSchema,
    async handle({ ctx, principal, params }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      return describeUser(await requireUser(ctx.db, tenant.id, params.userId));
    },
  }),
  adminRoute<UserParams, Record<string, never>, UserBody>({
    method: 'PATCH', path: '/tenants/:tenant/users/:userId', operationId: 'updateUser', summary: 'Change a user: profile, status, primary role, admin role, password', tag,
    params: pathParams('tenant', 'userId'), body: UserPatch, status: 200, response: UserSchema,
    async handle(call) {
      const { ctx, principal, params, body } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const passwordHash = body.password === undefined ? undefined : await hashUpdatePassword(body.password);
      const update = { email: body.email, firstName: body.first_name, lastName: body.last_name, displayName: body.display_name, status: body.status, role: body.role, adminRole: body.admin_role, passwordHash };
      const { user } = await auditedChange(
        call,
        async (db) => {
          await authorizeOnUser(db, principal, await requireUser(db, tenant.id, params.userId), { adminRole: body.admin_role });
          return {
            user: await updateUser(db, tenant.id, params.userId, update, ctx.now()),
            // A new password signs the user out everywhere, with the change (issue 13, 6).
            signedOut: passwordHash === undefined ? undefined : await signOutUser(db, params.userId, ctx.now()),
          };
        },
        ({ user: u, signedOut: out }) => ({ action: 'user.update', tenantId: tenant.id, target: { type: 'user', id: u.id }, details: { fields: Object.keys(body), ...(body.admin_role !== undefined ? { admin_role: body.admin_role } : {}), ...(out === undefined ? {} : { signed_out: out }) } }),
      );
      return describeUser(user);
    },
  }),
  adminRoute<UserParams>({
    method: 'DELETE', path: '/tenants/:tenant/users/:userId', operationId: 'deleteUser', summary: 'Delete a person (a service account goes with its client)', tag,
    params: pathParams('tenant', 'userId'), status: 204, response: null,
    async handle(call) {
      const { ctx, principal, params } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const remove = async (db: Database) => {
        await authorizeOnUser(db, principal, await requireUser(db, tenant.id, params.userId));
        return deleteUser(db, tenant.id, params.userId);
      };
      await auditedChange(call, remove, (u) => ({ action: 'user.delete', tenantId: tenant.id, target: { type: 'user', id: u.id } }));
    },
  }),
  adminRoute<UserParams>({
    method: 'GET', path: '/tenants/:tenant/users/:userId/access', operationId: 'getUserAccess', summary: 'Effective groups, roles and permissions of a user', tag,
    params: pathParams('tenant', 'userId'), status: 200, response: AccessSchema,
    async handle({ ctx, principal, params }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const user = await requireUser(ctx.db, tenant.id, params.userId);
      const access = await resolveAccess(ctx.db, user.id);
      return { groups: access.groups, all_groups: access.allGroups, roles: access.roles, permissions: access.permissions };
    },
  }),
];
