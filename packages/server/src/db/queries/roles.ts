import type { Database } from '../database.ts';
import type { RolesTable } from '../schema.ts';
import { parseJsonArray } from '../../util/json.ts';
import { containsInsensitive, toPage } from './page.ts';
import type { Page, PageRequest } from './page.ts';

export interface Role {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly description: string | null;
  readonly permissions: readonly string[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

export function toRole(row: RolesTable): Role {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    description: row.description,
    permissions: parseJsonArray(row.permissions),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function roleQueries(db: Database) {
  return {
    async insert(row: RolesTable): Promise<void> {
      await db.insertInto('roles').values(row).execute();
    },
    async find(tenantId: string, id: string): Promise<Role | undefined> {
      const row = await db.selectFrom('roles').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId).executeTakeFirst();
      return row && toRole(row);
    },
    async findByName(tenantId: string, name: string): Promise<Role | undefined> {
      const row = await db.selectFrom('roles').selectAll().where('name', '=', name).where('tenant_id', '=', tenantId).executeTakeFirst();
      return row && toRole(row);
    },
    async list(tenantId: string, filter: { name?: string | undefined }, page: PageRequest): Promise<Page<Role>> {
      let query = db.selectFrom('roles').selectAll().where('tenant_id', '=', tenantId).orderBy('id').limit(page.limit + 1);
      if (filter.name) query = query.where(containsInsensitive('name', filter.name));
      if (page.cursor) query = query.where('id', '>', page.cursor);
      const result = toPage(await query.execute(), page, (row) => row.id);
      return { data: result.data.map(toRole), nextCursor: result.nextCursor };
    },
    async update(id: string, changes: Partial<Pick<RolesTable, 'name' | 'description' | 'permissions'>>, now: number): Promise<void> {
      await db.updateTable('roles').set({ ...changes, updated_at: now }).where('id', '=', id).execute();
    },
    async delete(id: string): Promise<void> {
      await db.deleteFrom('roles').where('id', '=', id).execute();
    },
    async ofUser(userId: string): Promise<Role[]> {
      const rows = await db.selectFrom('user_roles').innerJoin('roles', 'roles.id', 'user_roles.role_id').selectAll('roles').where('user_roles.user_id', '=', userId).orderBy('roles.id').execute();
      return rows.map(toRole);
    },
    async ofGroup(groupId: string): Promise<Role[]> {
      const rows = await db.selectFrom('group_roles').innerJoin('roles', 'roles.id', 'group_roles.role_id').selectAll('roles').where('group_roles.group_id', '=', groupId).orderBy('roles.id').execute();
      return rows.map(toRole);
    },
    async assignToUser(userId: string, roleId: string, now: number): Promise<boolean> {
      const result = await db
        .insertInto('user_roles')
        .values({ user_id: userId, role_id: roleId, created_at: now })
        .onConflict((oc) => oc.columns(['user_id', 'role_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async unassignFromUser(userId: string, roleId: string): Promise<boolean> {
      const result = await db.deleteFrom('user_roles').where('user_id', '=', userId).where('role_id', '=', roleId).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
    async assignToGroup(groupId: string, roleId: string, now: number): Promise<boolean> {
      const result = await db
        .insertInto('group_roles')
        .values({ group_id: groupId, role_id: roleId, created_at: now })
        .onConflict((oc) => oc.columns(['group_id', 'role_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async unassignFromGroup(groupId: string, roleId: string): Promise<boolean> {
      const result = await db.deleteFrom('group_roles').where('group_id', '=', groupId).where('role_id', '=', roleId).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
