/**
 * What every token request reads and what rarely changes: the client (to authenticate it) and the service
 * account of a confidential client with the claims its tokens carry (groups, roles, permissions: two recursive
 * queries). Reading them cost more CPU than the rest of the request (bench/, scenario 1), so each instance
 * keeps them for LATCHKEY_CACHE_TTL_SECONDS, like tenants and signing keys, and drops them at once when this
 * instance writes to the directory (`db/write-aware-cache.ts`). The secret is still checked on every request
 * against the cached hash; unknown clients are never cached. A TTL of 0 turns the cache off.
 */
import type { Latchkey } from '../context.ts';
import { clientIssuanceQueries } from '../db/queries/client-issuance.ts';
import type { Client } from '../db/queries/clients.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { userQueries } from '../db/queries/users.ts';
import type { UserStatus } from '../db/schema.ts';
import { WriteAwareCache } from '../db/write-aware-cache.ts';
import { cacheBudget } from '../config/cache-budgets.ts';
import { observeCache } from '../http/metrics.ts';
import { principalClaims } from './principal-claims.ts';

/** A client's service account as its tokens describe it. */
export interface ServicePrincipal {
  readonly id: string;
  readonly status: UserStatus;
  readonly claims: Readonly<Record<string, unknown>>;
}

interface Caches {
  readonly clients: WriteAwareCache<string, Client>;
  readonly principals: WriteAwareCache<string, ServicePrincipal>;
}

const perInstance = new WeakMap<Latchkey, Caches>();

function cachesOf(ctx: Latchkey): Caches {
  let caches = perInstance.get(ctx);
  if (caches === undefined) {
    const ttlMs = ctx.config.cacheTtl * 1000;
    caches = {
      clients: new WriteAwareCache(ctx.db, { ttlMs, maxBytes: cacheBudget(ctx.config, 'clients') }),
      principals: new WriteAwareCache(ctx.db, { ttlMs, maxBytes: cacheBudget(ctx.config, 'principals') }),
    };
    observeCache(ctx.metrics, 'clients', caches.clients);
    observeCache(ctx.metrics, 'principals', caches.principals);
    perInstance.set(ctx, caches);
  }
  return caches;
}

/**
 * Finds a client by id through the cache (for `authenticateClient`). A miss reads the client's tenant and its
 * published signing keys in the same statement and hands them to their caches: the request needs them next,
 * and a tenant whose client is not cached seldom has them cached (issue 21: three statements became one).
 */
export function cachedClientFinder(ctx: Latchkey): (clientId: string) => Promise<Client | undefined> {
  const { clients } = cachesOf(ctx);
  const queries = clientIssuanceQueries(ctx.db);
  return (clientId) =>
    clients.get(clientId, async () => {
      const [rememberTenant, rememberKeys] = [ctx.tenants.tenantReader(), ctx.signingKeys.keyReader()];
      const read = await queries.read(clientId, ctx.now());
      if (read === undefined) return undefined;
      rememberTenant(read.tenant);
      rememberKeys(read.tenant.id, read.keys);
      return read.client;
    });
}

/** The client's service account and its token claims; undefined when the client has none (or it was deleted). */
export function servicePrincipal(ctx: Latchkey, tenant: Tenant, client: Client): Promise<ServicePrincipal | undefined> {
  const userId = client.serviceUserId;
  if (userId === null) return Promise.resolve(undefined);
  // The claims depend on the tenant, the client's claim settings and the user: all in the key.
  const key = `${tenant.id}\u0000${client.clientId}\u0000${client.updatedAt}\u0000${userId}`;
  return cachesOf(ctx).principals.get(key, async () => {
    const user = await userQueries(ctx.db).findById(userId);
    if (user === undefined) return undefined;
    return { id: user.id, status: user.status, claims: await principalClaims(ctx, tenant, client, user) };
  });
}
