/**
 * What every exchange reads and what rarely changes: the client's exchange policy and the API resources of the
 * tenant. Like clients at the token endpoint (`oauth/issuance-cache.ts`), each instance keeps them for
 * the cache lifetime, drops them at once when it writes to the database and within about a second when
 * another instance does (`db/cache-sync.ts`). The subject (API key,
 * owner, roles) is never cached: revocation and role loss must show in the next exchange.
 */
import type { Latchkey } from '../../context.ts';
import { apiResourceQueries } from '../../db/queries/api-resources.ts';
import type { ApiResourceRow } from '../../db/queries/api-resources.ts';
import { WriteAwareCache } from '../../db/write-aware-cache.ts';
import { cacheBudget } from '../../config/cache-budgets.ts';
import { observeCache } from '../../http/metrics.ts';
import { tokenExchangePolicyOf } from '../token-exchange-policy.ts';
import type { TokenExchangePolicy } from '../token-exchange-policy.ts';

interface Caches {
  readonly policies: WriteAwareCache<string, TokenExchangePolicy>;
  readonly resources: WriteAwareCache<string, ApiResourceRow>;
}

const perInstance = new WeakMap<Latchkey, Caches>();

function cachesOf(ctx: Latchkey): Caches {
  let caches = perInstance.get(ctx);
  if (caches === undefined) {
    const ttlMs = ctx.config.cacheTtl * 1000;
    const maxBytes = Math.floor(cacheBudget(ctx.config, 'exchange') / 2);
    caches = { policies: new WriteAwareCache(ctx.db, { ttlMs, maxBytes }), resources: new WriteAwareCache(ctx.db, { ttlMs, maxBytes }) };
    observeCache(ctx.metrics, 'exchange_policies', caches.policies);
    observeCache(ctx.metrics, 'api_resources', caches.resources);
    perInstance.set(ctx, caches);
  }
  return caches;
}

export function cachedTokenExchangePolicy(ctx: Latchkey, clientId: string): Promise<TokenExchangePolicy> {
  return cachesOf(ctx).policies.get(clientId, () => tokenExchangePolicyOf(ctx.db, clientId)) as Promise<TokenExchangePolicy>;
}

/** An API resource by identifier; unknown identifiers are not cached (WriteAwareCache keeps only found rows). */
export function cachedApiResource(ctx: Latchkey, tenantId: string, identifier: string): Promise<ApiResourceRow | undefined> {
  return cachesOf(ctx).resources.get(`${tenantId}\u0000${identifier}`, () => apiResourceQueries(ctx.db).findByIdentifier(tenantId, identifier));
}
