/** The self-service links the sign-in page offers, carrying the interaction so the person can come back to it. */
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { tenantUrl } from './page-request.ts';

export function selfServiceLinks(ctx: Latchkey, tenant: Tenant, interaction: string): { forgotPasswordUrl: string; signUpUrl?: string } {
  return {
    forgotPasswordUrl: tenantUrl(ctx, tenant, 'forgot-password', { interaction }),
    ...(tenant.settings.features.auth.registration_enabled ? { signUpUrl: tenantUrl(ctx, tenant, 'sign-up', { interaction }) } : {}),
  };
}
