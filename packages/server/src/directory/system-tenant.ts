/**
 * The system tenant: where the first super admin lives and signs in to the console (issue 19). It is an ordinary
 * tenant (an issuer with its own keys), made on first use by the bootstrap rather than at every start, so a
 * deployment that never opens the console has no extra tenant. Operators may add more super admins to it, or
 * give any tenant's users admin roles; nothing else about it is special.
 */
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { OAuthError } from '../errors/oauth-error.ts';
import { createTenant } from './tenants.ts';

export const SYSTEM_TENANT_SLUG = 'system';

export async function findSystemTenant(ctx: Latchkey): Promise<Tenant | undefined> {
  return ctx.tenants.bySlug(SYSTEM_TENANT_SLUG);
}

export async function ensureSystemTenant(ctx: Latchkey): Promise<Tenant> {
  const existing = await findSystemTenant(ctx);
  if (existing) return existing;
  try {
    return await createTenant(ctx, { slug: SYSTEM_TENANT_SLUG, name: 'Latchkey administration' });
  } catch (error) {
    // Another instance made it first (409): use theirs.
    if (!(error instanceof OAuthError && error.status === 409)) throw error;
    ctx.tenants.invalidate({ id: '', slug: SYSTEM_TENANT_SLUG });
    const made = await findSystemTenant(ctx);
    if (!made) throw error;
    return made;
  }
}
