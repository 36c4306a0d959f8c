/**
 * Effective permissions explained (issue 19): for every permission a user holds, which role gave it and how the
 * user holds that role: directly, or through a group path (the group the user is a member of, then each parent
 * up to the group the role is mapped to). Same union as `access.ts` (seed 003), but it keeps one shortest path
 * per reached group, so an admin can see why a user may do something. The walk goes up one nesting level per
 * query (the depth is capped at write time, `groups.ts`), and each group is visited once, so diamonds and even
 * a cycle terminate.
 */
import type { Database } from '../db/database.ts';
import { parseJsonArray } from '../util/json.ts';

export interface RoleSource {
  readonly roleId: string;
  readonly role: string;
  /** Empty when the role is held directly; else group names from the user's own group up to the role's group. */
  readonly groupPath: readonly string[];
}

export interface ExplainedPermission {
  readonly permission: string;
  readonly sources: readonly RoleSource[];
}

export interface ExplainedAccess {
  readonly roles: readonly (RoleSource & { readonly permissions: readonly string[] })[];
  readonly permissions: readonly ExplainedPermission[];
}

/** Every group the user reaches, each with the shortest path of group ids that reaches it. */
async function groupPaths(db: Database, userId: string): Promise<Map<string, string[]>> {
  const direct = await db.selectFrom('group_members').select('group_id').where('user_id', '=', userId).execute();
  const paths = new Map<string, string[]>(direct.map((row) => [row.group_id, [row.group_id]]));
  let frontier = [...paths.keys()];
  while (frontier.length > 0) {
    const edges = await db.selectFrom('group_parents').select(['child_group_id', 'parent_group_id']).where('child_group_id', 'in', frontier).orderBy('parent_group_id').execute();
    const next: string[] = [];
    for (const edge of edges) {
      if (paths.has(edge.parent_group_id)) continue;
      paths.set(edge.parent_group_id, [...paths.get(edge.child_group_id)!, edge.parent_group_id]);
      next.push(edge.parent_group_id);
    }
    frontier = next;
  }
  return paths;
}

export async function explainAccess(db: Database, userId: string): Promise<ExplainedAccess> {
  const paths = await groupPaths(db, userId);
  const groupIds = [...paths.keys()];
  const names = new Map(groupIds.length === 0 ? [] : (await db.selectFrom('groups').select(['id', 'name']).where('id', 'in', groupIds).execute()).map((g) => [g.id, g.name]));
  const directRoles = await db.selectFrom('user_roles').innerJoin('roles', 'roles.id', 'user_roles.role_id').select(['roles.id', 'roles.name', 'roles.permissions']).where('user_roles.user_id', '=', userId).execute();
  const groupRoles = groupIds.length === 0 ? [] : await db
    .selectFrom('group_roles')
    .innerJoin('roles', 'roles.id', 'group_roles.role_id')
    .select(['roles.id', 'roles.name', 'roles.permissions', 'group_roles.group_id'])
    .where('group_roles.group_id', 'in', groupIds)
    .execute();
  const roles = [
    ...directRoles.map((r) => ({ roleId: r.id, role: r.name, groupPath: [] as string[], permissions: parseJsonArray(r.permissions) })),
    ...groupRoles.map((r) => ({ roleId: r.id, role: r.name, groupPath: paths.get(r.group_id)!.map((id) => names.get(id) ?? id), permissions: parseJsonArray(r.permissions) })),
  ].sort((a, b) => a.role.localeCompare(b.role) || a.groupPath.length - b.groupPath.length || a.groupPath.join('/').localeCompare(b.groupPath.join('/')));
  const byPermission = new Map<string, RoleSource[]>();
  for (const role of roles) {
    for (const permission of role.permissions) {
      const sources = byPermission.get(permission) ?? [];
      sources.push({ roleId: role.roleId, role: role.role, groupPath: role.groupPath });
      byPermission.set(permission, sources);
    }
  }
  return { roles, permissions: [...byPermission.keys()].sort().map((permission) => ({ permission, sources: byPermission.get(permission)! })) };
}
