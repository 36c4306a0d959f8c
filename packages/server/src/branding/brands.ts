/**
 * The brand a tenant's pages wear: the partner's brand (the default its tenants inherit), overridden field by
 * field by the tenant's own. Read through a write-aware cache: a page view costs no query while nothing changed.
 */
import type { Latchkey } from '../context.ts';
import { brandQueries } from '../db/queries/brands.ts';
import type { BrandOwner } from '../db/queries/brands.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { WriteAwareCache } from '../db/write-aware-cache.ts';
import { parseStoredBrand, validateBrand } from './brand.ts';
import type { Brand } from './brand.ts';

export interface TenantBrand {
  /** The tenant's own fields. */
  readonly own: Brand;
  /** The partner's brand the tenant inherits from, if any. */
  readonly inherited: Brand;
  /** What the pages show. */
  readonly effective: Brand;
}

const caches = new WeakMap<Latchkey, WriteAwareCache<string, TenantBrand>>();

function cacheOf(ctx: Latchkey): WriteAwareCache<string, TenantBrand> {
  let cache = caches.get(ctx);
  if (cache === undefined) {
    cache = new WriteAwareCache(ctx.db, ctx.config.cacheTtl * 1000);
    caches.set(ctx, cache);
  }
  return cache;
}

/** Partner first, tenant over it; checked again as a whole (a tenant's dark appearance against a partner's accent). */
export function mergeBrands(inherited: Brand, own: Brand): Brand {
  const merged = { ...inherited, ...own };
  try {
    return validateBrand(merged);
  } catch {
    return own;
  }
}

export async function loadBrand(ctx: Latchkey, owner: BrandOwner): Promise<Brand> {
  return parseStoredBrand(await brandQueries(ctx.db).find(owner));
}

export async function tenantBrand(ctx: Latchkey, tenant: Tenant): Promise<TenantBrand> {
  const loaded = await cacheOf(ctx).get(tenant.id, async () => {
    const own = await loadBrand(ctx, { kind: 'tenant', id: tenant.id });
    const inherited = tenant.partnerId ? await loadBrand(ctx, { kind: 'partner', id: tenant.partnerId }) : {};
    return { own, inherited, effective: mergeBrands(inherited, own) };
  });
  return loaded ?? { own: {}, inherited: {}, effective: {} };
}
