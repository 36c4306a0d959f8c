/**
 * /admin/v1/tenants/{tenant}/clients/{clientId}/token-exchange-policy: what a client may exchange (RFC 8693):
 * subject token types, resources, impersonation, maximum lifetime. Widening it widens what the client's tokens
 * reach, so it is a change to the client and is audited.
 */
import { requireClient } from '../directory/client-changes.ts';
import { setTokenExchangePolicy, tokenExchangePolicyOf } from '../resources/token-exchange-policy.ts';
import { adminRoute } from './admin-route.ts';
import { auditedChange } from './audited-change.ts';
import { boolean, named, object, pathParams } from './json-schema.ts';
import { tenantInPath } from './tenant-scope.ts';
import type { TenantParams } from './tenant-scope.ts';

const properties = {
  subject_token_types: { type: 'array', items: { type: 'string', enum: ['api_key', 'access_token'] }, description: 'which subject tokens the client may exchange' },
  resources: { type: ['array', 'null'], items: { type: 'string' }, description: 'resource identifiers it may exchange for; null: any resource the client may ask for' },
  impersonation: { ...boolean, description: 'may exchange an access token without an actor_token (the new token names no acting party)' },
  max_lifetime: { type: 'integer', minimum: 1, maximum: 86400, description: 'seconds; exchanged tokens never outlive their subject either' },
};
const PolicySchema = named('TokenExchangePolicy', object(properties));
type Params = TenantParams & { clientId: string };
const tag = 'Clients';

export const tokenExchangePolicyRoutes = [
  adminRoute<Params>({
    method: 'GET', path: '/tenants/:tenant/clients/:clientId/token-exchange-policy', operationId: 'getTokenExchangePolicy', summary: 'Read a client\'s token exchange policy (the default when none was set)', tag,
    params: pathParams('tenant', 'clientId'), status: 200, response: PolicySchema,
    async handle({ ctx, principal, params }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      await requireClient(ctx.db, tenant.id, params.clientId);
      return tokenExchangePolicyOf(ctx.db, params.clientId);
    },
  }),
  adminRoute<Params, Record<string, never>, Record<string, unknown>>({
    method: 'PUT', path: '/tenants/:tenant/clients/:clientId/token-exchange-policy', operationId: 'setTokenExchangePolicy', summary: 'Set a client\'s token exchange policy (fields left out keep their values)', tag,
    params: pathParams('tenant', 'clientId'), body: object(properties, Object.keys(properties)), status: 200, response: PolicySchema,
    async handle(call) {
      const { ctx, principal, params, body } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      return auditedChange(
        call,
        async (db) => {
          await requireClient(db, tenant.id, params.clientId);
          return setTokenExchangePolicy(db, principal, tenant.id, params.clientId, body, ctx.now());
        },
        (policy) => ({ action: 'client.token_exchange_policy.set', tenantId: tenant.id, target: { type: 'client', id: params.clientId }, details: { ...policy } }),
      );
    },
  }),
];
