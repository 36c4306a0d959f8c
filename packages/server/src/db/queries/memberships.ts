import type { Database } from '../database.ts';
import type { Group } from './groups.ts';
import type { UserRow } from './users.ts';
import { toPage } from './page.ts';
import type { Page, PageRequest } from './page.ts';

/** Direct membership of users (people and service accounts) in groups. */
export function membershipQueries(db: Database) {
  return {
    async add(groupId: string, userId: string, now: number): Promise<boolean> {
      const result = await db
        .insertInto('group_members')
        .values({ group_id: groupId, user_id: userId, created_at: now })
        .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async remove(groupId: string, userId: string): Promise<boolean> {
      const result = await db.deleteFrom('group_members').where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    async members(groupId: string, page: PageRequest): Promise<Page<UserRow>> {
      let query = db
        .selectFrom('group_members')
        .innerJoin('users', 'users.id', 'group_members.user_id')
        .selectAll('users')
        .where('group_members.group_id', '=', groupId)
        .orderBy('users.id')
        .limit(page.limit + 1);
      if (page.cursor) query = query.where('users.id', '>', page.cursor);
      return toPage(await query.execute(), page, (row) => row.id);
    },
    async groupsOf(userId: string): Promise<Group[]> {
      return db
        .selectFrom('group_members')
        .innerJoin('groups', 'groups.id', 'group_members.group_id')
        .selectAll('groups')
        .where('group_members.user_id', '=', userId)
        .orderBy('groups.id')
        .execute();
    },
  };
}
