/**
 * Groups of a tenant: nestable under several parents. Nesting refuses a cycle (409) and a chain deeper than
 * `MAX_GROUP_DEPTH`, which bounds the cost of resolving a user's groups and permissions (`access.ts`).
 */
import type { Database } from '../db/database.ts';
import { groupQueries } from '../db/queries/groups.ts';
import type { Group } from '../db/queries/groups.ts';
import { membershipQueries } from '../db/queries/memberships.ts';
import { inTransaction } from '../db/transaction.ts';
import { Conflict, NotFound, assert } from '../errors/oauth-error.ts';
import { newId } from '../util/ids.ts';
import { checkDescription, checkName, withUniqueName } from './field-checks.ts';
import { requireUser } from './users.ts';

/** The longest allowed chain of parent links (a root group with 16 generations below it). */
export const MAX_GROUP_DEPTH = 16;

export interface GroupInput {
  readonly name?: string | undefined;
  readonly description?: string | null | undefined;
}

export async function requireGroup(db: Database, tenantId: string, groupId: string): Promise<Group> {
  const group = await groupQueries(db).find(tenantId, groupId);
  if (!group) throw new NotFound('no such group');
  return group;
}

export async function createGroup(db: Database, tenantId: string, input: GroupInput, now: number): Promise<Group> {
  const row: Group = { id: newId('grp', now), tenant_id: tenantId, name: checkName(input.name, 200), description: checkDescription(input.description), created_at: now, updated_at: now };
  await withUniqueName('group', () => groupQueries(db).insert(row), row.name);
  return row;
}

export async function updateGroup(db: Database, tenantId: string, groupId: string, input: GroupInput, now: number): Promise<Group> {
  await requireGroup(db, tenantId, groupId);
  const changes = {
    ...(input.name === undefined ? {} : { name: checkName(input.name, 200) }),
    ...(input.description === undefined ? {} : { description: checkDescription(input.description) }),
  };
  await withUniqueName('group', () => groupQueries(db).update(groupId, changes, now), changes.name);
  return requireGroup(db, tenantId, groupId);
}

export async function deleteGroup(db: Database, tenantId: string, groupId: string): Promise<Group> {
  const group = await requireGroup(db, tenantId, groupId);
  await groupQueries(db).delete(groupId);
  return group;
}

/**
 * Makes `parentId` a parent of `childId`. The tenant row is touched first: that row lock (PostgreSQL) or write
 * lock (SQLite) serialises nesting changes of one tenant, so two concurrent links cannot close a cycle that
 * neither saw.
 */
export async function nestGroup(db: Database, tenantId: string, childId: string, parentId: string, now: number): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const queries = groupQueries(trx);
    await queries.lockTenantNesting(tenantId);
    const child = await requireGroup(trx, tenantId, childId);
    const parent = await requireGroup(trx, tenantId, parentId);
    assert(!(await queries.isAncestorOrSelf(parent.id, child.id)), new Conflict(`making "${parent.name}" a parent of "${child.name}" would create a cycle`));
    const depth = (await queries.heightAbove(parent.id, MAX_GROUP_DEPTH + 1)) + 1 + (await queries.depthBelow(child.id, MAX_GROUP_DEPTH + 1));
    assert(depth <= MAX_GROUP_DEPTH, new Conflict(`nesting would make a chain of ${depth} levels; at most ${MAX_GROUP_DEPTH} are allowed`));
    return queries.addParent(child.id, parent.id, now);
  });
}

export async function unnestGroup(db: Database, tenantId: string, childId: string, parentId: string): Promise<void> {
  await requireGroup(db, tenantId, childId);
  const removed = await groupQueries(db).removeParent(childId, parentId);
  if (!removed) throw new NotFound('the group has no such parent');
}

export async function addMember(db: Database, tenantId: string, groupId: string, userId: string, now: number): Promise<boolean> {
  await requireGroup(db, tenantId, groupId);
  await requireUser(db, tenantId, userId);
  return membershipQueries(db).add(groupId, userId, now);
}

export async function removeMember(db: Database, tenantId: string, groupId: string, userId: string): Promise<void> {
  await requireGroup(db, tenantId, groupId);
  const removed = await membershipQueries(db).remove(groupId, userId);
  if (!removed) throw new NotFound('the user is not a member of this group');
}

export function describeGroup(group: Group) {
  return {
    id: group.id,
    tenant_id: group.tenant_id,
    name: group.name,
    description: group.description,
    created_at: new Date(group.created_at).toISOString(),
    updated_at: new Date(group.updated_at).toISOString(),
  };
}
