/**
 * Rotating a tenant's signing key, as the CLI and the admin API ask for it. A rotation to another algorithm than
 * the tenant's `signing_alg` is an algorithm switch (issue 14.10): `signing_alg` changes in the key's own
 * transaction, and the staged path (signing-keys.ts) makes it take effect when the key activates — the key that
 * signs now keeps signing until then. Retired keys stay published until the longest token lifetime has passed.
 */
import type { Latchkey } from '../context.ts';
import type { Database } from '../db/database.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { updateTenant } from '../directory/tenant-changes.ts';
import type { SigningAlgorithm } from './jose.ts';
import type { RotationResult } from './signing-keys.ts';

export interface TenantRotation extends RotationResult {
  /** The tenant's signing_alg before the rotation (differs from `alg` for an algorithm switch). */
  readonly previousAlg: SigningAlgorithm;
}

export async function rotateTenantKey(ctx: Latchkey, tenant: Tenant, alg: SigningAlgorithm, activateInMs?: number): Promise<TenantRotation> {
  const previousAlg = tenant.settings.signing_alg;
  const maxLifetimeMs = Math.max(tenant.settings.access_token_lifetime, tenant.settings.id_token_lifetime) * 1000;
  const switchAlg = alg === previousAlg ? undefined : async (db: Database) => void (await updateTenant(db, tenant, { settings: { signing_alg: alg } }, ctx.now()));
  const result = await ctx.signingKeys.rotate(tenant.id, alg, maxLifetimeMs, activateInMs, { beforeCommit: switchAlg });
  if (switchAlg !== undefined) ctx.tenants.invalidate(tenant);
  return { ...result, previousAlg };
}
