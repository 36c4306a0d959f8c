import type { Database } from '../db/database.ts';
import { tenantQueries } from '../db/queries/tenants.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { ENTRY_OVERHEAD_BYTES, estimateBytes, LruCache } from '../util/lru-cache.ts';
import type { CacheStats } from '../util/lru-cache.ts';

export interface TenantDirectoryOptions {
  readonly ttlMs: number;
  /** The byte budget of the two maps together (by slug, by id). */
  readonly maxBytes: number;
}

const sizeOf = (key: string, tenant: Tenant) => ENTRY_OVERHEAD_BYTES + estimateBytes(key) + estimateBytes(tenant);

/** Tenant lookups for the request path, cached per instance for the configured TTL within a byte budget. */
export class TenantDirectory {
  readonly #queries: ReturnType<typeof tenantQueries>;
  readonly #bySlug: LruCache<string, Tenant>;
  readonly #byId: LruCache<string, Tenant>;

  constructor(db: Database, options: TenantDirectoryOptions) {
    this.#queries = tenantQueries(db);
    this.#bySlug = new LruCache({ ttlMs: options.ttlMs, maxBytes: Math.floor(options.maxBytes / 2), sizeOf });
    this.#byId = new LruCache({ ttlMs: options.ttlMs, maxBytes: Math.floor(options.maxBytes / 2), sizeOf });
  }

  async bySlug(slug: string): Promise<Tenant | undefined> {
    const cached = this.#bySlug.get(slug);
    if (cached) return cached;
    const tenant = await this.#queries.findBySlug(slug);
    if (tenant) this.#remember(tenant);
    return tenant;
  }

  async byId(id: string): Promise<Tenant | undefined> {
    const cached = this.#byId.get(id);
    if (cached) return cached;
    const tenant = await this.#queries.findById(id);
    if (tenant) this.#remember(tenant);
    return tenant;
  }

  /** Forget a tenant after this instance changed it. */
  invalidate(tenant: Pick<Tenant, 'id' | 'slug'>): void {
    this.#bySlug.delete(tenant.slug);
    this.#byId.delete(tenant.id);
  }

  /** Both maps' counts together (for the metrics). */
  stats(): CacheStats {
    const [a, b] = [this.#bySlug.stats(), this.#byId.stats()];
    return { hits: a.hits + b.hits, misses: a.misses + b.misses, evictions: a.evictions + b.evictions, entries: a.entries + b.entries, bytes: a.bytes + b.bytes, maxBytes: a.maxBytes + b.maxBytes };
  }

  #remember(tenant: Tenant): void {
    this.#bySlug.set(tenant.slug, tenant);
    this.#byId.set(tenant.id, tenant);
  }
}

export function issuerFor(baseUrl: string, slug: string): string {
  return `${baseUrl}/t/${slug}`;
}
