/**
 * What a user (a person or a service account) may do: the groups it is in, directly and through nested groups,
 * and the union of the permissions of every role it holds directly or through any of those groups (seed 003).
 * One statement, no cache (a removed membership shows in the next token), built once (`db/prepared-query.ts`). The recursive walk uses UNION, so each
 * group is visited once and diamonds (even a cycle) terminate; nesting depth is capped at write time
 * (`groups.ts`), which bounds the walk. `npm run bench:permissions` measures it at 100k users / 10k groups.
 *
 * Group names and the direct-membership flag are read with correlated lookups rather than joins: PostgreSQL
 * cannot know how few groups the walk reaches and otherwise hash-joins them against a full scan of `groups`
 * (measured: 17 ms instead of under 3 ms per user at 10k groups); a lookup per reached group is an index probe
 * on both databases.
 */
import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import { preparedQuery } from '../db/prepared-query.ts';
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

/** The groups the user reaches: direct memberships, then parents through nesting (UNION: each group once). */
function reachedGroups(db: Database, userId: string) {
  return db.withRecursive('reach(group_id)', (qb) =>
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
  );
}

/** A reached group (`role` null) or a held role (`member` null): one statement answers both. */
interface AccessRow {
  readonly role: string | null;
  readonly name: string | null;
  readonly member: string | null;
  readonly permissions: string | null;
}

/** Each reached group: its name, and whether the user is a direct member. */
function groupRows(db: Database, userId: string) {
  return reachedGroups(db, userId)
    .selectFrom('reach')
    .select((eb) => [
      sql<string | null>`null`.as('role'),
      eb.selectFrom('groups').select('groups.name').whereRef('groups.id', '=', 'reach.group_id').as('name'),
      eb
        .selectFrom('group_members')
        .select('group_members.user_id')
        .whereRef('group_members.group_id', '=', 'reach.group_id')
        .where('group_members.user_id', '=', userId)
        .as('member'),
      sql<string | null>`null`.as('permissions'),
    ]);
}

const groupsOnly = preparedQuery<{ userId: string }, AccessRow>((db, { userId }) => groupRows(db, userId));

// The roles held directly or through any reached group follow the groups in the same statement: both halves
// read the one walk.
const groupsAndRoles = preparedQuery<{ userId: string }, AccessRow>((db, { userId }) =>
  groupRows(db, userId).unionAll((eb) =>
    eb
      .selectFrom('roles')
      .select(['roles.id as role', 'roles.name as name', sql<string | null>`null`.as('member'), 'roles.permissions as permissions'])
      .where('roles.id', 'in', (inner) =>
        inner
          .selectFrom('user_roles')
          .select('user_roles.role_id')
          .where('user_roles.user_id', '=', userId)
          .union(inner.selectFrom('group_roles').select('group_roles.role_id').where('group_roles.group_id', 'in', inner.selectFrom('reach').select('reach.group_id'))),
      ),
  ),
);

export async function resolveAccess(db: Database, userId: string, options: ResolveOptions = {}): Promise<Access> {
  const rows = await (options.roles === false ? groupsOnly : groupsAndRoles).execute(db, { userId });
  const groups: string[] = [];
  const allGroups: string[] = [];
  const roles: string[] = [];
  const permissions = new Set<string>();
  for (const row of rows) {
    if (row.role !== null) {
      if (row.name !== null) roles.push(row.name);
      for (const permission of parseJsonArray(row.permissions ?? '[]')) permissions.add(permission);
    } else if (row.name !== null) {
      allGroups.push(row.name);
      if (row.member !== null) groups.push(row.name);
    }
  }
  return { groups: groups.sort(), allGroups: allGroups.sort(), roles: roles.sort(), permissions: [...permissions].sort() };
}
