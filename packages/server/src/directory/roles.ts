/** Roles of a tenant (a name and a set of permission strings) and their assignment to users and groups. */
import type { Database } from '../db/database.ts';
import { roleQueries } from '../db/queries/roles.ts';
import type { Role } from '../db/queries/roles.ts';
import { InvalidRequest, NotFound, assert } from '../errors/oauth-error.ts';
import { newId } from '../util/ids.ts';
import { checkDescription, checkName, withUniqueName } from './field-checks.ts';
import { requireGroup } from './groups.ts';
import { requireUser } from './users.ts';

/** `mail.send`, `templates.read`, `billing:*`: letters, digits and `. _ : * / -`. */
export const PERMISSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:*/-]{0,127}$/;
const MAX_PERMISSIONS = 500;

export interface RoleInput {
  readonly name?: string | undefined;
  readonly description?: string | null | undefined;
  readonly permissions?: readonly string[] | undefined;
}

export function checkPermissions(permissions: unknown, field = 'permissions'): string[] {
  assert(Array.isArray(permissions) && permissions.length <= MAX_PERMISSIONS, new InvalidRequest(`${field} must be a list of at most ${MAX_PERMISSIONS} permission strings`));
  const bad = (permissions as unknown[]).filter((p) => typeof p !== 'string' || !PERMISSION_PATTERN.test(p));
  assert(bad.length === 0, new InvalidRequest(`${field}: ${bad.map((p) => JSON.stringify(p).slice(0, 60)).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not valid permission names`));
  return [...new Set(permissions as string[])].sort();
}

export async function requireRole(db: Database, tenantId: string, roleId: string): Promise<Role> {
  const role = await roleQueries(db).find(tenantId, roleId);
  if (!role) throw new NotFound('no such role');
  return role;
}

export async function createRole(db: Database, tenantId: string, input: RoleInput, now: number): Promise<Role> {
  const name = checkName(input.name, 100);
  const permissions = checkPermissions(input.permissions ?? []);
  const id = newId('rol', now);
  await withUniqueName(
    'role',
    () => roleQueries(db).insert({ id, tenant_id: tenantId, name, description: checkDescription(input.description), permissions: JSON.stringify(permissions), created_at: now, updated_at: now }),
    name,
  );
  return requireRole(db, tenantId, id);
}

export async function updateRole(db: Database, tenantId: string, roleId: string, input: RoleInput, now: number): Promise<Role> {
  await requireRole(db, tenantId, roleId);
  const changes = {
    ...(input.name === undefined ? {} : { name: checkName(input.name, 100) }),
    ...(input.description === undefined ? {} : { description: checkDescription(input.description) }),
    ...(input.permissions === undefined ? {} : { permissions: JSON.stringify(checkPermissions(input.permissions)) }),
  };
  await withUniqueName('role', () => roleQueries(db).update(roleId, changes, now), changes.name);
  return requireRole(db, tenantId, roleId);
}

export async function deleteRole(db: Database, tenantId: string, roleId: string): Promise<Role> {
  const role = await requireRole(db, tenantId, roleId);
  await roleQueries(db).delete(roleId);
  return role;
}

export async function assignRoleToUser(db: Database, tenantId: string, userId: string, roleId: string, now: number): Promise<boolean> {
  await requireUser(db, tenantId, userId);
  await requireRole(db, tenantId, roleId);
  return roleQueries(db).assignToUser(userId, roleId, now);
}

export async function unassignRoleFromUser(db: Database, tenantId: string, userId: string, roleId: string): Promise<void> {
  await requireUser(db, tenantId, userId);
  if (!(await roleQueries(db).unassignFromUser(userId, roleId))) throw new NotFound('the user does not hold this role directly');
}

export async function assignRoleToGroup(db: Database, tenantId: string, groupId: string, roleId: string, now: number): Promise<boolean> {
  await requireGroup(db, tenantId, groupId);
  await requireRole(db, tenantId, roleId);
  return roleQueries(db).assignToGroup(groupId, roleId, now);
}

export async function unassignRoleFromGroup(db: Database, tenantId: string, groupId: string, roleId: string): Promise<void> {
  await requireGroup(db, tenantId, groupId);
  if (!(await roleQueries(db).unassignFromGroup(groupId, roleId))) throw new NotFound('the group does not hold this role');
}

export function describeRole(role: Role) {
  return {
    id: role.id,
    tenant_id: role.tenantId,
    name: role.name,
    description: role.description,
    permissions: [...role.permissions],
    created_at: new Date(role.createdAt).toISOString(),
    updated_at: new Date(role.updatedAt).toISOString(),
  };
}
