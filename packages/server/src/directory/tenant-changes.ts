/** Changing and deleting tenants (creation is in tenants.ts). Callers invalidate `ctx.tenants` after commit. */
import type { Database } from '../db/database.ts';
import { tenantAdminQueries } from '../db/queries/tenant-admin.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { InvalidRequest, NotFound, assert } from '../errors/oauth-error.ts';
import { requirePartner } from './partners.ts';
import { mergeTenantSettings } from './tenant-settings.ts';

export interface TenantChanges {
  readonly name?: string | undefined;
  /** Merged over the current settings: name only what changes. */
  readonly settings?: unknown;
  readonly partnerId?: string | null | undefined;
}

export async function updateTenant(db: Database, tenant: Tenant, changes: TenantChanges, now: number): Promise<Tenant> {
  const update: { name?: string; settings?: string; partner_id?: string | null } = {};
  if (changes.name !== undefined) {
    assert(typeof changes.name === 'string' && changes.name.trim() !== '' && changes.name.length <= 200, new InvalidRequest('name must be 1 to 200 characters'));
    update.name = changes.name.trim();
  }
  if (changes.settings !== undefined) update.settings = JSON.stringify(mergeTenantSettings(tenant.settings, changes.settings));
  if (changes.partnerId !== undefined) {
    if (changes.partnerId !== null) await requirePartner(db, changes.partnerId);
    update.partner_id = changes.partnerId;
  }
  const queries = tenantAdminQueries(db);
  await queries.update(tenant.id, update, now);
  const updated = await queries.find(tenant.id);
  if (!updated) throw new NotFound('no such tenant');
  return updated;
}

/** Deletes the tenant and, by cascade, its users, clients, groups, roles, keys and API keys. */
export async function deleteTenant(db: Database, tenant: Tenant): Promise<void> {
  await tenantAdminQueries(db).delete(tenant.id);
}
