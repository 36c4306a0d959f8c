/**
 * What a user (a person or a service account) may do: the groups it is in, directly and through nested groups,
 * and the union of the permissions of every role it holds directly or through any of those groups (seed 003).
 * Two queries, no cache (a removed membership shows in the next token). The recursive walk uses UNION, so each
 * group is visited once and diamonds (even a cycle) terminate; nesting depth is capped at write time
 * (`groups.ts`), which bounds the walk. `npm run bench:permissions` measures it at 100k users / 10k groups.
 *
 * Group names and the direct-membership flag are read with correlated lookups rather than joins: PostgreSQL
 * cannot know how few groups the walk reaches and otherwise hash-joins them against a full scan of `groups`
 * (measured: 17 ms instead of under 3 ms per user at 10k groups); a lookup per reached group is an index probe
 * on both databases.
 */
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

export interface ResolveOptions {
  /**
   * False when only the groups are needed (a client whose tokens carry `groups` but not `roles` or
   * `permissions`, the default): the roles query is skipped, and `roles` and `permissions` come back empty.
   */
  readonly roles?: boolean;
}

export async function resolveAccess(db: Database, userId: string, options: ResolveOptions = {}): Promise<Access> {
  const groupRows = await db
    .withRecursive('reach(group_id)', (qb) =>
      qb
        .selectFrom('group_members')
        .select('group_members.group_id')
        .where('group_members.user_id', '=', userId)
        .union(
          qb
            .selectFrom('reach')
            .innerJoin('group_parents', 'group_parents.child_group_id', 'reach.group_id')
            .select('group_parents.parent_group_id as group_id'),
        ),
    )
    .selectFrom('reach')
    .select((eb) => [
      'reach.group_id as id',
      eb.selectFrom('groups').select('groups.name').whereRef('groups.id', '=', 'reach.group_id').as('name'),
      eb
        .selectFrom('group_members')
        .select('group_members.user_id')
        .whereRef('group_members.group_id', '=', 'reach.group_id')
        .where('group_members.user_id', '=', userId)
        .as('member'),
    ])
    .execute();

  const groupIds = groupRows.map((row) => row.id);
  const roleRows = options.roles === false ? [] : await db
    .selectFrom('roles')
    .select(['roles.name', 'roles.permissions'])
    .where('roles.id', 'in', (eb) => {
      const direct = eb.selectFrom('user_roles').select('user_roles.role_id').where('user_roles.user_id', '=', userId);
      return groupIds.length === 0 ? direct : direct.union(eb.selectFrom('group_roles').select('group_roles.role_id').where('group_roles.group_id', 'in', groupIds));
    })
    .orderBy('roles.name')
    .execute();

  const permissions = new Set<string>();
  for (const row of roleRows) for (const permission of parseJsonArray(row.permissions)) permissions.add(permission);
  const named = groupRows.filter((row): row is typeof row & { name: string } => typeof row.name === 'string');
  return {
    groups: named.filter((row) => row.member !== null).map((row) => row.name).sort(),
    allGroups: named.map((row) => row.name).sort(),
    roles: roleRows.map((row) => row.name),
    permissions: [...permissions].sort(),
  };
}
