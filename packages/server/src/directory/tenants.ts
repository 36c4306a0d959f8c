import type { Latchkey } from '../context.ts';
import { tenantQueries } from '../db/queries/tenants.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { Conflict, InvalidRequest, NotFound } from '../errors/oauth-error.ts';
import { newId } from '../util/ids.ts';
import { DEFAULT_TENANT_SETTINGS, mergeTenantSettings } from './tenant-settings.ts';
import { issuerFor } from './tenant-directory.ts';

/** Slugs appear in URLs (`/t/<slug>`): lower-case letters, digits and inner hyphens, 2 to 63 characters. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])$/;

export interface CreateTenantInput {
  readonly slug: string;
  readonly name?: string;
  readonly partnerId?: string | null;
  readonly settings?: unknown;
}

export async function createTenant(ctx: Latchkey, input: CreateTenantInput): Promise<Tenant> {
  if (typeof input.slug !== 'string' || !SLUG_PATTERN.test(input.slug)) {
    throw new InvalidRequest('slug must be 2 to 63 lower-case letters, digits or inner hyphens');
  }
  const name = input.name ?? input.slug;
  if (typeof name !== 'string' || name.trim() === '' || name.length > 200) throw new InvalidRequest('name must be 1 to 200 characters');
  const settings = mergeTenantSettings(DEFAULT_TENANT_SETTINGS, input.settings);
  const now = ctx.now();
  const id = newId('tnt', now);
  try {
    await tenantQueries(ctx.db).insert({
      id,
      slug: input.slug,
      name: name.trim(),
      partner_id: input.partnerId ?? null,
      settings: JSON.stringify(settings),
      created_at: now,
      updated_at: now,
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new Conflict(`a tenant with slug "${input.slug}" already exists`);
    throw error;
  }
  await ctx.signingKeys.createInitialKey(id, settings.signing_alg);
  const tenant = await ctx.tenants.byId(id);
  if (!tenant) throw new Error('tenant vanished after insert');
  return tenant;
}

export async function requireTenantBySlug(ctx: Latchkey, slug: string): Promise<Tenant> {
  const tenant = typeof slug === 'string' && SLUG_PATTERN.test(slug) ? await ctx.tenants.bySlug(slug) : undefined;
  if (!tenant) throw new NotFound(`no tenant "${String(slug).slice(0, 64)}"`);
  return tenant;
}

/** The public view of a tenant (CLI `--json`, admin API). */
export function describeTenant(ctx: Pick<Latchkey, 'config'>, tenant: Tenant) {
  return {
    id: tenant.id,
    slug: tenant.slug,
    name: tenant.name,
    partner_id: tenant.partnerId,
    issuer: issuerFor(ctx.config.baseUrl, tenant.slug),
    settings: tenant.settings,
    created_at: new Date(tenant.createdAt).toISOString(),
    updated_at: new Date(tenant.updatedAt).toISOString(),
  };
}
