import type { Database } from '../db/database.ts';
import { cacheLifetime } from '../db/cache-sync.ts';
import { tenantQueries } from '../db/queries/tenants.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { ENTRY_OVERHEAD_BYTES, estimateBytes, LruCache } from '../util/lru-cache.ts';
import type { CacheStats } from '../util/lru-cache.ts';
import { settingsBytes, sharedSettingsBytes } from './shared-settings.ts';

export interface TenantDirectoryOptions {
  /** LATCHKEY_CACHE_TTL_SECONDS: the bound while the shared change signal is not current (`db/cache-sync.ts`). */
  readonly ttlMs: number;
  /** The byte budget of the two maps together (tenants by id, and slugs to ids). */
  readonly maxBytes: number;
}

/** A tenant row's bytes, its settings counted once when they are shared with other tenants (`shared-settings.ts`). */
function tenantBytes(tenant: Tenant): number {
  let total = 32;
  for (const [key, value] of Object.entries(tenant)) total += 8 + key.length + (key === 'settings' ? settingsBytes(value as Tenant['settings']) : estimateBytes(value));
  return total;
}

/** The share of the budget for slugs: a slug and an id against a whole tenant row with its settings. */
const SLUG_SHARE = 0.15;

/**
 * Tenant lookups for the request path, cached per instance within a byte budget, for the configured TTL or,
 * while the shared change signal is current, the longer cache lifetime (`db/cache-sync.ts` clears it). The
 * rows are kept once, by id; the slug map holds ids only (keeping the row in both maps counted it twice
 * against the budget: at 1k tenants it was the largest cache, issue 21).
 */
export class TenantDirectory {
  readonly #queries: ReturnType<typeof tenantQueries>;
  readonly #bySlug: LruCache<string, string>;
  readonly #byId: LruCache<string, Tenant>;
  /** Bumped by every invalidation and by `clear`, so a row read before it is not cached after it. */
  #generation = 0;

  constructor(db: Database, options: TenantDirectoryOptions) {
    this.#queries = tenantQueries(db);
    const slugBytes = Math.floor(options.maxBytes * SLUG_SHARE);
    const ttlMs = cacheLifetime(db, options.ttlMs);
    this.#bySlug = new LruCache({ ttlMs, maxBytes: slugBytes, sizeOf: (slug, id) => ENTRY_OVERHEAD_BYTES + estimateBytes(slug) + estimateBytes(id) });
    this.#byId = new LruCache({ ttlMs, maxBytes: options.maxBytes - slugBytes, sizeOf: (id, tenant) => ENTRY_OVERHEAD_BYTES + estimateBytes(id) + tenantBytes(tenant) });
  }

  async bySlug(slug: string): Promise<Tenant | undefined> {
    const id = this.#bySlug.get(slug);
    const cached = id === undefined ? undefined : this.#byId.get(id);
    // A slug moves only with its tenant's deletion (ids are never reused), so the row found by id is the slug's.
    if (cached !== undefined && cached.slug === slug) return cached;
    const remember = this.tenantReader();
    const tenant = await this.#queries.findBySlug(slug);
    if (tenant) remember(tenant);
    return tenant;
  }

  async byId(id: string): Promise<Tenant | undefined> {
    const cached = this.#byId.get(id);
    if (cached) return cached;
    const remember = this.tenantReader();
    const tenant = await this.#queries.findById(id);
    if (tenant) remember(tenant);
    return tenant;
  }

  /** Forget a tenant after this instance changed it. */
  invalidate(tenant: Pick<Tenant, 'id' | 'slug'>): void {
    this.#generation += 1;
    this.#bySlug.delete(tenant.slug);
    this.#byId.delete(tenant.id);
  }

  /** Forget every tenant: another instance or the CLI changed the directory (`db/cache-sync.ts`). */
  clear(): void {
    this.#generation += 1;
    this.#bySlug.clear();
    this.#byId.clear();
  }

  /** Both maps' counts together (for the metrics). */
  stats(): CacheStats {
    const [a, b] = [this.#bySlug.stats(), this.#byId.stats()];
    // The shared settings are counted here, once, though the process has one table for all its instances.
    return { hits: a.hits + b.hits, misses: a.misses + b.misses, evictions: a.evictions + b.evictions, entries: a.entries + b.entries, bytes: a.bytes + b.bytes + sharedSettingsBytes(), maxBytes: a.maxBytes + b.maxBytes };
  }

  /**
   * For a tenant row read elsewhere (the token endpoint reads it with the client: `db/queries/client-issuance.ts`):
   * call before the read, then hand the row to what it returns; a row read while an invalidation ran is not kept.
   */
  tenantReader(): (tenant: Tenant) => void {
    const generation = this.#generation;
    const loadedAt = Date.now();
    return (tenant) => {
      if (generation !== this.#generation) return;
      this.#bySlug.set(tenant.slug, tenant.id, loadedAt);
      this.#byId.set(tenant.id, tenant, loadedAt);
    };
  }
}

export function issuerFor(baseUrl: string, slug: string): string {
  return `${baseUrl}/t/${slug}`;
}
