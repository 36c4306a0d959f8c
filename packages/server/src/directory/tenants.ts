import type { Latchkey } from '../context.ts';
import type { Database } from '../db/database.ts';
import type { TenantsTable } from '../db/schema.ts';
import { tenantQueries } from '../db/queries/tenants.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { Conflict, InvalidRequest, NotFound } from '../errors/oauth-error.ts';
import { newId } from '../util/ids.ts';
import { SLUG_PATTERN, checkSlug } from './field-checks.ts';
import { requirePartner } from './partners.ts';
import { DEFAULT_TENANT_SETTINGS, mergeTenantSettings, parseStoredSettings } from './tenant-settings.ts';
import { issuerFor } from './tenant-directory.ts';


export interface CreateTenantInput {
  readonly slug: string;
  readonly name?: string;
  readonly partnerId?: string | null;
  readonly settings?: unknown;
}

export async function createTenant(ctx: Latchkey, input: CreateTenantInput): Promise<Tenant> {
  return provisionTenant(ctx, await insertTenant(ctx.db, input, ctx.now()));
}

/**
 * After `insertTenant` has committed (the admin API and the CLI insert inside their audited change): the
 * tenant's first signing key, and the tenant as the directory serves it.
 */
export async function provisionTenant(ctx: Latchkey, row: TenantsTable): Promise<Tenant> {
  await ctx.signingKeys.createInitialKey(row.id, parseStoredSettings(row.settings).signing_alg);
  const tenant = await ctx.tenants.byId(row.id);
  if (!tenant) throw new Error('tenant vanished after insert');
  return tenant;
}

/**
 * Validates and inserts the tenant row, under its partner when it names one (inside the caller's transaction
 * when `db` is one); no signing key yet.
 */
export async function insertTenant(db: Database, input: CreateTenantInput, now: number): Promise<TenantsTable> {
  checkSlug(input.slug);
  const name = input.name ?? input.slug;
  if (typeof name !== 'string' || name.trim() === '' || name.length > 200) throw new InvalidRequest('name must be 1 to 200 characters');
  const settings = mergeTenantSettings(DEFAULT_TENANT_SETTINGS, input.settings);
  if (input.partnerId) await requirePartner(db, input.partnerId);
  const row: TenantsTable = {
    id: newId('tnt', now),
    slug: input.slug,
    name: name.trim(),
    partner_id: input.partnerId ?? null,
    settings: JSON.stringify(settings),
    created_at: now,
    updated_at: now,
  };
  try {
    await tenantQueries(db).insert(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw new Conflict(`a tenant with slug "${input.slug}" already exists`);
    throw error;
  }
  return row;
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
