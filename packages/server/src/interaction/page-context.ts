/**
 * What every hosted page of a tenant needs besides its own data: the tenant (its default locale) and its brand.
 * Loaded once per browser request, before the handler, so the page renderer and the error renderer (which are
 * synchronous) both have it.
 */
import type { FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import type { Brand } from '../branding/brand.ts';
import { tenantBrand } from '../branding/brands.ts';

export interface PageContext {
  readonly tenant: Tenant;
  readonly brand: Brand;
}

const contexts = new WeakMap<FastifyRequest, PageContext>();

export async function loadPageContext(ctx: Latchkey, request: FastifyRequest): Promise<void> {
  const slug = (request.params as { tenant?: unknown } | undefined)?.tenant;
  if (typeof slug !== 'string') return;
  const tenant = await ctx.tenants.bySlug(slug);
  if (tenant === undefined) return;
  contexts.set(request, { tenant, brand: (await tenantBrand(ctx, tenant)).effective });
}

export function pageContextOf(request: FastifyRequest): PageContext | undefined {
  return contexts.get(request);
}
