import type { Database } from '../database.ts';

export type BrandOwner = { readonly kind: 'tenant'; readonly id: string } | { readonly kind: 'partner'; readonly id: string };

/** Stored brands (JSON text), one per tenant or partner; replacing one is an upsert. */
export function brandQueries(db: Database) {
  return {
    async find(owner: BrandOwner): Promise<string | undefined> {
      const row =
        owner.kind === 'tenant'
          ? await db.selectFrom('tenant_brands').select('brand').where('tenant_id', '=', owner.id).executeTakeFirst()
          : await db.selectFrom('partner_brands').select('brand').where('partner_id', '=', owner.id).executeTakeFirst();
      return row?.brand;
    },
    async save(owner: BrandOwner, brand: string, now: number): Promise<void> {
      if (owner.kind === 'tenant') {
        await db.insertInto('tenant_brands').values({ tenant_id: owner.id, brand, updated_at: now }).onConflict((oc) => oc.column('tenant_id').doUpdateSet({ brand, updated_at: now })).execute();
      } else {
        await db.insertInto('partner_brands').values({ partner_id: owner.id, brand, updated_at: now }).onConflict((oc) => oc.column('partner_id').doUpdateSet({ brand, updated_at: now })).execute();
      }
    },
    async remove(owner: BrandOwner): Promise<boolean> {
      const result =
        owner.kind === 'tenant'
          ? await db.deleteFrom('tenant_brands').where('tenant_id', '=', owner.id).executeTakeFirst()
          : await db.deleteFrom('partner_brands').where('partner_id', '=', owner.id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
