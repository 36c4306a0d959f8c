/**
 * How LATCHKEY_CACHE_MEMORY_MB is shared among the per-process caches. Fixed parts, sized by what one ES256
 * tenant weighs in each by the caches' own estimate (`latchkey_cache_bytes` after a token for each of 1,000
 * tenants, 2026-12-02, bench/README.md): key set 1.55 KB, tenant row 1.36 KB, client 1.2 KB, imported private key
 * 0.77 KB, service-account claims 0.61 KB; 5.5 KB in all. With these parts the default 64 MiB holds the
 * client_credentials working set of about 10,000 tenants in every cache.
 */
import type { Config } from './load-config.ts';

const PARTS = {
  /** Tenant rows by id, and slugs to ids. */
  tenants: 0.2,
  clients: 0.18,
  principals: 0.1,
  /** What introspection says of a token's subject: status, groups, roles, permissions. */
  access: 0.1,
  /** Each tenant's published key rows and JWKS. */
  signingKeySets: 0.23,
  /** Unsealed, imported private keys. */
  privateKeys: 0.12,
  /** Only tenants whose hosted pages are visited. */
  brands: 0.03,
  /** Token exchange (RFC 8693): clients' exchange policies and the tenants' API resources, half each. */
  exchange: 0.04,
} as const;

export type CacheName = keyof typeof PARTS;

/** The byte budget of one cache. */
export function cacheBudget(config: Pick<Config, 'cacheMemory'>, name: CacheName): number {
  return Math.floor(config.cacheMemory * 1024 * 1024 * PARTS[name]);
}
