/**
 * /admin/v1/tenants/{tenant}/users/{userId}/factors and /tenants/{tenant}/mfa-report: a user's second factors
 * (listed without any secret), removing one, resetting all (forces re-enrolment), and the tenant's enrolment
 * report. Changes pass the admins-act-downward rule and commit with their audit event.
 */
import { enrolmentReport, listUserFactors, removeUserFactor, resetUserFactors } from '../authentication/factor-admin.ts';
import { requireUser } from '../directory/users.ts';
import { authorizeOnUser } from './admin-authority.ts';
import { adminRoute } from './admin-route.ts';
import { auditedChange } from './audited-change.ts';
import { boolean, dateTime, named, nullableDateTime, nullableString, object, pathParams, string, stringList } from './json-schema.ts';
import { tenantInPath } from './tenant-scope.ts';
import type { TenantParams } from './tenant-scope.ts';

const count = { type: 'integer', minimum: 0 };
export const FactorSchema = named(
  'Factor',
  object(
    {
      id: string(), type: { type: 'string', enum: ['totp', 'passkey'] }, name: string(), created_at: dateTime, last_used_at: nullableDateTime,
      device_type: nullableString({ description: 'passkeys: singleDevice (bound to one authenticator) or multiDevice (synced)' }), backed_up: boolean,
    },
    ['device_type', 'backed_up'],
  ),
);
const FactorList = named('FactorList', object({ data: { type: 'array', items: FactorSchema }, recovery_codes_left: count }));
const Reset = named('FactorReset', object({ factors_removed: count }));
const Report = named(
  'MfaEnrolmentReport',
  object({
    policy: { type: 'string', enum: ['off', 'optional', 'required'] }, required_for_admins: boolean, allowed_factors: stringList,
    people: count, enrolled: count, with_totp: count, with_passkey: count, admins_without_factor: { ...stringList, description: 'user ids' },
  }),
);
type FactorParams = TenantParams & { userId: string };
const tag = 'Users';

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export const userFactorRoutes = [
  adminRoute<FactorParams>({
    method: 'GET', path: '/tenants/:tenant/users/:userId/factors', operationId: 'listUserFactors', summary: 'A user’s second factors (never their secrets) and unused recovery codes', tag,
    params: pathParams('tenant', 'userId'), status: 200, response: FactorList,
    async handle({ ctx, principal, params }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const user = await requireUser(ctx.db, tenant.id, params.userId);
      const { factors, recovery_codes_left } = await listUserFactors(ctx.db, user.id);
      return { data: factors.map((f) => ({ ...f, created_at: iso(f.created_at), last_used_at: iso(f.last_used_at) })), recovery_codes_left };
    },
  }),
  adminRoute<FactorParams & { factorId: string }>({
    method: 'DELETE', path: '/tenants/:tenant/users/:userId/factors/:factorId', operationId: 'removeUserFactor', summary: 'Remove one second factor of a user', tag,
    params: pathParams('tenant', 'userId', 'factorId'), status: 204, response: null,
    async handle(call) {
      const { ctx, principal, params } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      await auditedChange(
        call,
        async (db) => {
          await authorizeOnUser(db, principal, await requireUser(db, tenant.id, params.userId));
          return removeUserFactor(db, params.userId, params.factorId);
        },
        (factor) => ({ action: 'user.mfa.remove', tenantId: tenant.id, target: { type: 'user', id: params.userId }, details: { factor: factor.type, factor_id: factor.id, by: 'admin' } }),
      );
    },
  }),
  adminRoute<FactorParams>({
    method: 'POST', path: '/tenants/:tenant/users/:userId/factors/reset', operationId: 'resetUserFactors', summary: 'Remove every second factor and recovery code of a user (they enrol again where the policy asks)', tag,
    params: pathParams('tenant', 'userId'), status: 200, response: Reset,
    async handle(call) {
      const { ctx, principal, params } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      return auditedChange(
        call,
        async (db) => {
          await authorizeOnUser(db, principal, await requireUser(db, tenant.id, params.userId));
          return resetUserFactors(db, params.userId);
        },
        (result) => ({ action: 'user.mfa.reset', tenantId: tenant.id, target: { type: 'user', id: params.userId }, details: result }),
      );
    },
  }),
  adminRoute<TenantParams>({
    method: 'GET', path: '/tenants/:tenant/mfa-report', operationId: 'getMfaEnrolmentReport', summary: 'How many people of the tenant use a second factor, by kind; admins still without one', tag: 'Tenants',
    params: pathParams('tenant'), status: 200, response: Report,
    async handle({ ctx, principal, params }) {
      return enrolmentReport(ctx.db, await tenantInPath(ctx, principal, params.tenant));
    },
  }),
];
