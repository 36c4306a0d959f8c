import { sql } from 'kysely';
import type { Database } from '../database.ts';
import type { GroupsTable } from '../schema.ts';
import { containsInsensitive, toPage } from './page.ts';
import type { Page, PageRequest } from './page.ts';

export type Group = GroupsTable;

export interface GroupFilter {
  /** Case-insensitive substring of the name. */
  readonly name?: string | undefined;
}

export function groupQueries(db: Database) {
  return {
    async insert(row: GroupsTable): Promise<void> {
      await db.insertInto('groups').values(row).execute();
    },
    async find(tenantId: string, id: string): Promise<Group | undefined> {
      return db.selectFrom('groups').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId).executeTakeFirst();
    },
    async findByName(tenantId: string, name: string): Promise<Group | undefined> {
      return db.selectFrom('groups').selectAll().where('name', '=', name).where('tenant_id', '=', tenantId).executeTakeFirst();
    },
    async list(tenantId: string, filter: GroupFilter, page: PageRequest): Promise<Page<Group>> {
      let query = db.selectFrom('groups').selectAll().where('tenant_id', '=', tenantId).orderBy('id').limit(page.limit + 1);
      if (filter.name) query = query.where(containsInsensitive('name', filter.name));
      if (page.cursor) query = query.where('id', '>', page.cursor);
      return toPage(await query.execute(), page, (row) => row.id);
    },
    async update(id: string, changes: Partial<Pick<GroupsTable, 'name' | 'description'>>, now: number): Promise<void> {
      await db.updateTable('groups').set({ ...changes, updated_at: now }).where('id', '=', id).execute();
    },
    async delete(id: string): Promise<void> {
      await db.deleteFrom('groups').where('id', '=', id).execute();
    },
    /** The tenant's nesting edges (child → parent), for drawing the whole tree; the cursor is `<child>~<parent>`. */
    async edges(tenantId: string, page: PageRequest): Promise<Page<{ child_group_id: string; parent_group_id: string }>> {
      let query = db
        .selectFrom('group_parents')
        .innerJoin('groups', 'groups.id', 'group_parents.child_group_id')
        .select(['group_parents.child_group_id', 'group_parents.parent_group_id'])
        .where('groups.tenant_id', '=', tenantId)
        .orderBy('group_parents.child_group_id')
        .orderBy('group_parents.parent_group_id')
        .limit(page.limit + 1);
      if (page.cursor) {
        const [child = '', parent = ''] = page.cursor.split('~');
        query = query.where((eb) => eb.or([eb('group_parents.child_group_id', '>', child), eb.and([eb('group_parents.child_group_id', '=', child), eb('group_parents.parent_group_id', '>', parent)])]));
      }
      return toPage(await query.execute(), page, (row) => `${row.child_group_id}~${row.parent_group_id}`);
    },
    async parents(groupId: string): Promise<Group[]> {
      return db
        .selectFrom('group_parents')
        .innerJoin('groups', 'groups.id', 'group_parents.parent_group_id')
        .selectAll('groups')
        .where('group_parents.child_group_id', '=', groupId)
        .orderBy('groups.id')
        .execute();
    },
    async children(groupId: string): Promise<Group[]> {
      return db
        .selectFrom('group_parents')
        .innerJoin('groups', 'groups.id', 'group_parents.child_group_id')
        .selectAll('groups')
        .where('group_parents.parent_group_id', '=', groupId)
        .orderBy('groups.id')
        .execute();
    },
    /**
     * Touches the tenant row: a row lock on PostgreSQL, the write lock on SQLite, held to the end of the
     * transaction, so nesting changes of one tenant run one at a time.
     */
    async lockTenantNesting(tenantId: string): Promise<void> {
      await db.updateTable('tenants').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('id', '=', tenantId).execute();
    },
    /** Inserts the edge unless it exists; true when it was added. */
    async addParent(childId: string, parentId: string, now: number): Promise<boolean> {
      const result = await db
        .insertInto('group_parents')
        .values({ child_group_id: childId, parent_group_id: parentId, created_at: now })
        .onConflict((oc) => oc.columns(['child_group_id', 'parent_group_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async removeParent(childId: string, parentId: string): Promise<boolean> {
      const result = await db.deleteFrom('group_parents').where('child_group_id', '=', childId).where('parent_group_id', '=', parentId).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    /**
     * The longest chain of ancestors above `groupId` (0 for a root), walking at most `limit` levels. The walk
     * carries the depth, so it is bounded by `limit` even if the graph had a cycle.
     */
    async heightAbove(groupId: string, limit: number): Promise<number> {
      const row = await db
        .withRecursive('up(group_id, depth)', (qb) =>
          qb
            .selectFrom('group_parents')
            .select(['group_parents.parent_group_id as group_id', sql<number>`1`.as('depth')])
            .where('group_parents.child_group_id', '=', groupId)
            .union(
              qb
                .selectFrom('group_parents')
                .innerJoin('up', 'up.group_id', 'group_parents.child_group_id')
                .select(['group_parents.parent_group_id as group_id', sql<number>`up.depth + 1`.as('depth')])
                .where('up.depth', '<', limit),
            ),
        )
        .selectFrom('up')
        .select((eb) => eb.fn.max('up.depth').as('depth'))
        .executeTakeFirst();
      return Number(row?.depth ?? 0);
    },
    /** The longest chain of descendants below `groupId`, walking at most `limit` levels. */
    async depthBelow(groupId: string, limit: number): Promise<number> {
      const row = await db
        .withRecursive('down(group_id, depth)', (qb) =>
          qb
            .selectFrom('group_parents')
            .select(['group_parents.child_group_id as group_id', sql<number>`1`.as('depth')])
            .where('group_parents.parent_group_id', '=', groupId)
            .union(
              qb
                .selectFrom('group_parents')
                .innerJoin('down', 'down.group_id', 'group_parents.parent_group_id')
                .select(['group_parents.child_group_id as group_id', sql<number>`down.depth + 1`.as('depth')])
                .where('down.depth', '<', limit),
            ),
        )
        .selectFrom('down')
        .select((eb) => eb.fn.max('down.depth').as('depth'))
        .executeTakeFirst();
      return Number(row?.depth ?? 0);
    },
    /** True when `ancestorId` is reachable upward from `groupId` (or is it). Each group is visited once. */
    async isAncestorOrSelf(groupId: string, ancestorId: string): Promise<boolean> {
      if (groupId === ancestorId) return true;
      const row = await db
        .withRecursive('up(group_id)', (qb) =>
          qb
            .selectFrom('group_parents')
            .select('group_parents.parent_group_id as group_id')
            .where('group_parents.child_group_id', '=', groupId)
            .union(qb.selectFrom('group_parents').innerJoin('up', 'up.group_id', 'group_parents.child_group_id').select('group_parents.parent_group_id as group_id')),
        )
        .selectFrom('up')
        .select('up.group_id')
        .where('up.group_id', '=', ancestorId)
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}

