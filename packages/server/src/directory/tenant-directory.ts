import type { Database } from '../db/database.ts';
import { tenantQueries } from '../db/queries/tenants.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { TtlCache } from '../util/ttl-cache.ts';

/** Tenant lookups for the request path, cached per instance for the configured TTL. */
export class TenantDirectory {
  readonly #queries: ReturnType<typeof tenantQueries>;
  readonly #bySlug: TtlCache<string, Tenant>;
  readonly #byId: TtlCache<string, Tenant>;

  constructor(db: Database, ttlMs: number) {
    this.#queries = tenantQueries(db);
    this.#bySlug = new TtlCache(ttlMs);
    this.#byId = new TtlCache(ttlMs);
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

  #remember(tenant: Tenant): void {
    this.#bySlug.set(tenant.slug, tenant);
    this.#byId.set(tenant.id, tenant);
  }
}

export function issuerFor(baseUrl: string, slug: string): string {
  return `${baseUrl}/t/${slug}`;
}
