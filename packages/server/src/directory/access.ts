/**
 * What a user (a person or a service account) may do: the groups it is in, directly and through nested groups,
 * and the union of the permissions of every role it holds directly or through any of those groups (seed 003).
 * Two queries; the recursive walk uses UNION so diamonds and cycles terminate and each group is visited once.
 */
import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import { parseJsonArray } from '../util/json.ts';

export interface Access {
  /** Names of the groups the user is a direct member of (the `groups` claim, seed 000). */
  readonly groups: readonly string[];
  /** Names of every group reached through nesting, direct ones included. */
  readonly allGroups: readonly string[];
  /** Names of every role held, directly or through groups. */
  readonly roles: readonly string[];
  /** Union of the permissions of those roles, sorted. */
  readonly permissions: readonly string[];
}

export async function resolveAccess(db: Database, userId: string): Promise<Access> {
  const groupRows = await db
    .withRecursive('reach(group_id)', (qb) =>
      qb
        .selectFrom('group_members')
        .select('group_members.group_id')
        .where('group_members.user_id', '=', userId)
        .union(
          qb
            .selectFrom('group_parents')
            .innerJoin('reach', 'reach.group_id', 'group_parents.child_group_id')
            .select('group_parents.parent_group_id as group_id'),
        ),
    )
    .selectFrom('reach')
    .innerJoin('groups', 'groups.id', 'reach.group_id')
    .leftJoin('group_members', (join) =>
      join.onRef('group_members.group_id', '=', 'groups.id').on('group_members.user_id', '=', userId),
    )
    .select(['groups.id', 'groups.name', sql<number>`case when group_members.user_id is null then 0 else 1 end`.as('direct')])
    .execute();

  const groupIds = groupRows.map((row) => row.id);
  let roleQuery = db
    .selectFrom('roles')
    .select(['roles.name', 'roles.permissions'])
    .where((eb) =>
      eb.or([
        eb('roles.id', 'in', eb.selectFrom('user_roles').select('user_roles.role_id').where('user_roles.user_id', '=', userId)),
        ...(groupIds.length > 0
          ? [eb('roles.id', 'in', eb.selectFrom('group_roles').select('group_roles.role_id').where('group_roles.group_id', 'in', groupIds))]
          : []),
      ]),
    );
  roleQuery = roleQuery.orderBy('roles.name');
  const roleRows = await roleQuery.execute();

  const permissions = new Set<string>();
  for (const row of roleRows) for (const permission of parseJsonArray(row.permissions)) permissions.add(permission);
  return {
    groups: groupRows.filter((row) => Number(row.direct) === 1).map((row) => row.name).sort(),
    allGroups: groupRows.map((row) => row.name).sort(),
    roles: roleRows.map((row) => row.name),
    permissions: [...permissions].sort(),
  };
}
