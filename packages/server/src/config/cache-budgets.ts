/**
 * How LATCHKEY_CACHE_MEMORY_MB is shared among the per-process caches. Fixed parts, sized by what a tenant
 * costs in each (measured with `npm run bench:tenants`): its signing keys (rows with the sealed private key and
 * the imported key) weigh most, then the client and its service account's claims, then the tenant row.
 */
import type { Config } from './load-config.ts';

const PARTS = {
  /** Tenant rows, by slug and by id (two maps, the part split between them). */
  tenants: 0.15,
  clients: 0.15,
  principals: 0.15,
  /** What introspection says of a token's subject: status, groups, roles, permissions. */
  access: 0.1,
  /** Each tenant's published key rows and JWKS. */
  signingKeySets: 0.2,
  /** Unsealed, imported private keys. */
  privateKeys: 0.15,
  brands: 0.1,
} as const;

export type CacheName = keyof typeof PARTS;

/** The byte budget of one cache. */
export function cacheBudget(config: Pick<Config, 'cacheMemory'>, name: CacheName): number {
  return Math.floor(config.cacheMemory * 1024 * 1024 * PARTS[name]);
}
