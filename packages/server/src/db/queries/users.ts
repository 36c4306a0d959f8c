import type { Database } from '../database.ts';
import type { UsersTable } from '../schema.ts';

export type UserRow = UsersTable;

export function userQueries(db: Database) {
  return {
    async findById(id: string): Promise<UserRow | undefined> {
      return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    },
  };
}
