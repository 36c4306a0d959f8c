import type { Database } from '../database.ts';
import type { PartnersTable } from '../schema.ts';
import { toPage } from './page.ts';
import type { Page, PageRequest } from './page.ts';

export type Partner = PartnersTable;

export function partnerQueries(db: Database) {
  return {
    async insert(row: PartnersTable): Promise<void> {
      await db.insertInto('partners').values(row).execute();
    },
    async findById(id: string): Promise<Partner | undefined> {
      return db.selectFrom('partners').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async list(page: PageRequest): Promise<Page<Partner>> {
      let query = db.selectFrom('partners').selectAll().orderBy('id').limit(page.limit + 1);
      if (page.cursor) query = query.where('id', '>', page.cursor);
      return toPage(await query.execute(), page, (row) => row.id);
    },
    async update(id: string, changes: Partial<Pick<PartnersTable, 'slug' | 'name'>>, now: number): Promise<boolean> {
      const result = await db.updateTable('partners').set({ ...changes, updated_at: now }).where('id', '=', id).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async countTenants(id: string): Promise<number> {
      const row = await db.selectFrom('tenants').select((eb) => eb.fn.countAll<number>().as('n')).where('partner_id', '=', id).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async delete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('partners').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}
