/**
 * Changing a brand, for the admin API and the CLI alike: validated as a whole (and, for a tenant under a
 * partner, merged with the partner's brand and validated again), stored with its audit event in one
 * transaction. A refused brand changes nothing.
 */
import { recordedChange } from '../audit/recorded-change.ts';
import type { ChangeActor } from '../audit/recorded-change.ts';
import type { Latchkey } from '../context.ts';
import { brandQueries } from '../db/queries/brands.ts';
import type { Partner } from '../db/queries/partners.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { validateBrand } from './brand.ts';
import type { Brand } from './brand.ts';
import { loadBrand } from './brands.ts';

export async function replaceTenantBrand(ctx: Latchkey, actor: ChangeActor, tenant: Tenant, input: unknown): Promise<Brand> {
  const brand = validateBrand(input);
  // What the pages will show must pass too (a dark appearance here against the partner's light accent).
  if (tenant.partnerId) validateBrand({ ...(await loadBrand(ctx, { kind: 'partner', id: tenant.partnerId })), ...brand });
  await recordedChange(
    ctx,
    actor,
    (db) => brandQueries(db).save({ kind: 'tenant', id: tenant.id }, JSON.stringify(brand), ctx.now()),
    () => ({ action: 'tenant.branding.update', tenantId: tenant.id, target: { type: 'tenant', id: tenant.id }, details: { fields: Object.keys(brand) } }),
  );
  return brand;
}

export async function removeTenantBrand(ctx: Latchkey, actor: ChangeActor, tenant: Tenant): Promise<void> {
  await recordedChange(ctx, actor, (db) => brandQueries(db).remove({ kind: 'tenant', id: tenant.id }), () => ({ action: 'tenant.branding.delete', tenantId: tenant.id, target: { type: 'tenant', id: tenant.id } }));
}

export async function replacePartnerBrand(ctx: Latchkey, actor: ChangeActor, partner: Partner, input: unknown): Promise<Brand> {
  const brand = validateBrand(input);
  await recordedChange(
    ctx,
    actor,
    (db) => brandQueries(db).save({ kind: 'partner', id: partner.id }, JSON.stringify(brand), ctx.now()),
    () => ({ action: 'partner.branding.update', tenantId: null, target: { type: 'partner', id: partner.id }, details: { fields: Object.keys(brand) } }),
  );
  return brand;
}

export async function removePartnerBrand(ctx: Latchkey, actor: ChangeActor, partner: Partner): Promise<void> {
  await recordedChange(ctx, actor, (db) => brandQueries(db).remove({ kind: 'partner', id: partner.id }), () => ({ action: 'partner.branding.delete', tenantId: null, target: { type: 'partner', id: partner.id } }));
}
