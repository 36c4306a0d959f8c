/**
 * POST /admin/v1/bootstrap: creates the first super admin in the system tenant with a one-time token from
 * `latchkey serve` or `latchkey admin bootstrap` (`directory/bootstrap.ts`). Public, because no admin exists
 * yet; the 256-bit single-use token is the credential, and once a super admin exists every link is dead (409).
 */
import { redeemBootstrap } from '../directory/bootstrap.ts';
import { SYSTEM_TENANT_SLUG } from '../directory/system-tenant.ts';
import { adminRoute } from './admin-route.ts';
import { named, object, string } from './json-schema.ts';

const BootstrapInput = object({
  token: string({ minLength: 20, maxLength: 200, description: 'the token from the one-time link' }),
  email: string({ minLength: 3, maxLength: 320 }),
  password: string({ minLength: 8, maxLength: 1024, writeOnly: true }),
});
const BootstrapResult = named('BootstrapResult', object({ user_id: string(), email: string(), tenant: string({ description: 'the tenant to sign in to: system' }) }));

export const bootstrapRoutes = [
  adminRoute<Record<string, never>, Record<string, never>, { token: string; email: string; password: string }>({
    method: 'POST', path: '/bootstrap', operationId: 'bootstrapSuperAdmin', summary: 'Create the first super admin with a one-time bootstrap token (no credentials needed)', tag: 'Meta',
    public: true, body: BootstrapInput, status: 201, response: BootstrapResult,
    async handle({ ctx, body, request }) {
      const user = await redeemBootstrap(ctx, body, request.ip);
      return { user_id: user.id, email: user.email ?? body.email, tenant: SYSTEM_TENANT_SLUG };
    },
  }),
];
