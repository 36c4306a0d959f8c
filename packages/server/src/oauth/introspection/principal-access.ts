/**
 * What every introspection answer about a user's token carries, whatever the client's `token_claims` put in the
 * token itself: the tenant and the user's groups, roles and permissions as the directory resolves them now (the
 * same fields as API key answers), so a resource server can authorize from introspection alone.
 *
 * A resource server introspects on every request it serves, so the answer is cached per subject like the
 * token endpoint's service-account claims (issue 21: three queries per introspection were most of its storage
 * time): a change made through this instance (a disabled user, a removed membership) shows at once, one made
 * through another instance or the CLI through the shared change signal (`db/cache-sync.ts`).
 */
import type { Latchkey } from '../../context.ts';
import { cacheBudget } from '../../config/cache-budgets.ts';
import type { Tenant } from '../../db/queries/tenants.ts';
import { userQueries } from '../../db/queries/users.ts';
import { WriteAwareCache } from '../../db/write-aware-cache.ts';
import { resolveAccess } from '../../directory/access.ts';
import { observeCache } from '../../http/metrics.ts';

/** A subject's part of the answer: its access claims, none (not a user of this tenant), or inactive. */
type SubjectAccess = { readonly kind: 'user'; readonly claims: Readonly<Record<string, unknown>> } | { readonly kind: 'none' } | { readonly kind: 'inactive' };

const caches = new WeakMap<Latchkey, WriteAwareCache<string, SubjectAccess>>();

function cacheOf(ctx: Latchkey): WriteAwareCache<string, SubjectAccess> {
  let cache = caches.get(ctx);
  if (cache === undefined) {
    cache = new WriteAwareCache(ctx.db, { ttlMs: ctx.config.cacheTtl * 1000, maxBytes: cacheBudget(ctx.config, 'access') });
    observeCache(ctx.metrics, 'access', cache);
    caches.set(ctx, cache);
  }
  return cache;
}

async function loadSubjectAccess(ctx: Latchkey, tenant: Tenant, subject: string): Promise<SubjectAccess> {
  const user = await userQueries(ctx.db).findById(subject);
  if (user === undefined || user.tenant_id !== tenant.id) return { kind: 'none' };
  if (user.status !== 'active') return { kind: 'inactive' };
  const access = await resolveAccess(ctx.db, user.id);
  return { kind: 'user', claims: { groups: access.groups, roles: access.roles, permissions: access.permissions } };
}

/** Undefined when the subject is a user who is no longer active: the token is then inactive too. */
export async function principalAccessClaims(ctx: Latchkey, tenant: Tenant, subject: unknown): Promise<Record<string, unknown> | undefined> {
  const claims: Record<string, unknown> = { tenant_id: tenant.id, tenant_slug: tenant.slug, partner_id: tenant.partnerId };
  if (typeof subject !== 'string') return claims;
  const access = (await cacheOf(ctx).get(`${tenant.id}\u0000${subject}`, () => loadSubjectAccess(ctx, tenant, subject)))!;
  if (access.kind === 'inactive') return undefined;
  return access.kind === 'user' ? { ...claims, ...access.claims } : claims;
}
