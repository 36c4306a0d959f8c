/**
 * /admin/v1/tenants/{tenant}/users/{userId}/sign-out: ends every browser session and grant of a user (a lost
 * device, a suspected takeover), with its audit event. Like every change to a user, only downward: a
 * tenant_admin cannot sign a super_admin out.
 */
import { signOutUser } from '../directory/user-sign-out.ts';
import { requireUser } from '../directory/users.ts';
import { authorizeOnUser } from './admin-authority.ts';
import { adminRoute } from './admin-route.ts';
import { auditedChange } from './audited-change.ts';
import { named, object, pathParams } from './json-schema.ts';
import { tenantInPath } from './tenant-scope.ts';
import type { TenantParams } from './tenant-scope.ts';

const count = { type: 'integer', minimum: 0 };
export const SignOutSchema = named(
  'SignOut',
  object({
    sessions_ended: { ...count, description: 'browser sessions that were live' },
    grants_revoked: { ...count, description: 'grants that were live, each with its refresh and access tokens' },
  }),
);

export const userSignOutRoutes = [
  adminRoute<TenantParams & { userId: string }>({
    method: 'POST', path: '/tenants/:tenant/users/:userId/sign-out', operationId: 'signOutUser', tag: 'Users',
    summary: 'Sign a user out everywhere: end every browser session and revoke every grant with its tokens',
    params: pathParams('tenant', 'userId'), status: 200, response: SignOutSchema,
    async handle(call) {
      const { ctx, principal, params } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const signedOut = await auditedChange(
        call,
        async (db) => {
          await authorizeOnUser(db, principal, await requireUser(db, tenant.id, params.userId));
          return signOutUser(db, params.userId, ctx.now());
        },
        (result) => ({ action: 'user.sign_out', tenantId: tenant.id, target: { type: 'user', id: params.userId }, details: { signed_out: result } }),
      );
      return { sessions_ended: signedOut.sessions, grants_revoked: signedOut.grants };
    },
  }),
];
