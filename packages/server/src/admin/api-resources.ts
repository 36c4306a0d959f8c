/**
 * /admin/v1/tenants/{tenant}/resources: API resources (RFC 8707 targets) and the clients granted each (issue 20).
 * Granting a client a resource changes what the client's tokens reach, so it passes the admin rule on the client.
 */
import { apiResourceQueries } from '../db/queries/api-resources.ts';
import { createApiResource, deleteApiResource, describeApiResource, requireApiResource, setClientAccess, updateApiResource } from '../resources/api-resources.ts';
import type { ApiResourceInput } from '../resources/api-resources.ts';
import { SIGNING_ALGORITHMS } from '../tokens/jose.ts';
import { adminRoute, pageRequest, pageResponse } from './admin-route.ts';
import type { ListQuery } from './admin-route.ts';
import { auditedChange } from './audited-change.ts';
import { boolean, dateTime, listQuery, named, object, pageOf, patchBody, pathParams, string, stringList } from './json-schema.ts';
import { tenantInPath } from './tenant-scope.ts';
import type { TenantParams } from './tenant-scope.ts';
import { toApiResource } from '../resources/api-resources.ts';

const lifetime = { type: ['integer', 'null'], minimum: 1, maximum: 86400, description: 'seconds; null: the tenant\'s access_token_lifetime' };
const alg = { type: ['string', 'null'], enum: [...SIGNING_ALGORITHMS, null], description: 'the one algorithm this API accepts; tokens for it are refused while the tenant signs with another. null: whatever the tenant signs with' };
const properties = {
  id: string(), tenant_id: string(), identifier: string({ description: 'absolute URI; the resource parameter (RFC 8707) and the aud of its tokens' }), name: string(),
  scopes: { ...stringList, description: 'the scopes (permissions) this API defines' }, token_lifetime: lifetime, signing_alg: alg,
  all_clients: { ...boolean, description: 'every client of the tenant may ask for it (needed for dynamically registered agents); otherwise only clients granted it' },
  created_at: dateTime, updated_at: dateTime,
};
export const ApiResourceSchema = named('ApiResource', object(properties));
const ApiResourceDetailSchema = named('ApiResourceDetail', object({ ...properties, client_ids: { ...stringList, description: 'clients granted this resource' } }));
const editable = {
  identifier: string({ minLength: 1, maxLength: 500 }), name: string({ minLength: 1, maxLength: 200 }), scopes: stringList, token_lifetime: lifetime, signing_alg: alg, all_clients: boolean,
};
const ApiResourceInputSchema = object(editable, ['name', 'scopes', 'token_lifetime', 'signing_alg', 'all_clients']);
interface Body { identifier?: string; name?: string; scopes?: string[]; token_lifetime?: number | null; signing_alg?: string | null; all_clients?: boolean }
type ResourceParams = TenantParams & { resourceId: string };
type AccessParams = ResourceParams & { clientId: string };
const tag = 'API resources';

function inputOf(body: Body): ApiResourceInput {
  return { identifier: body.identifier, name: body.name, scopes: body.scopes, tokenLifetime: body.token_lifetime, signingAlg: body.signing_alg, allClients: body.all_clients };
}

function clientAccessRoute(method: 'PUT' | 'DELETE') {
  const granted = method === 'PUT';
  return adminRoute<AccessParams>({
    method, path: '/tenants/:tenant/resources/:resourceId/clients/:clientId', operationId: granted ? 'grantApiResource' : 'withdrawApiResource',
    summary: granted ? 'Let a client request tokens for this resource' : 'Stop a client from requesting tokens for this resource', tag,
    params: pathParams('tenant', 'resourceId', 'clientId'), status: 200, response: ApiResourceDetailSchema,
    async handle(call) {
      const { ctx, principal, params } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const resource = await auditedChange(
        call,
        (db) => setClientAccess(db, principal, tenant.id, params.resourceId, params.clientId, granted, ctx.now()),
        (r) => ({ action: granted ? 'api_resource.client.grant' : 'api_resource.client.withdraw', tenantId: tenant.id, target: { type: 'client', id: params.clientId }, details: { resource_id: r.id, identifier: r.identifier } }),
      );
      return describeApiResource(resource, await apiResourceQueries(ctx.db).clientIds(resource.id));
    },
  });
}

export const apiResourceRoutes = [
  adminRoute<TenantParams, ListQuery>({
    method: 'GET', path: '/tenants/:tenant/resources', operationId: 'listApiResources', summary: 'List the API resources of a tenant', tag,
    params: pathParams('tenant'), query: listQuery(), status: 200, response: pageOf('ApiResourcePage', ApiResourceSchema),
    async handle({ ctx, principal, params, query }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      return pageResponse(await apiResourceQueries(ctx.db).list(tenant.id, pageRequest(query)), (row) => describeApiResource(toApiResource(row)));
    },
  }),
  adminRoute<TenantParams, Record<string, never>, Body>({
    method: 'POST', path: '/tenants/:tenant/resources', operationId: 'createApiResource', summary: 'Create an API resource', tag,
    params: pathParams('tenant'), body: ApiResourceInputSchema, status: 201, response: ApiResourceSchema,
    async handle(call) {
      const { ctx, principal, params, body } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const resource = await auditedChange(call, (db) => createApiResource(db, tenant, inputOf(body), ctx.now()), (r) => ({ action: 'api_resource.create', tenantId: tenant.id, target: { type: 'api_resource', id: r.id }, details: { identifier: r.identifier } }));
      return describeApiResource(resource);
    },
  }),
  adminRoute<ResourceParams>({
    method: 'GET', path: '/tenants/:tenant/resources/:resourceId', operationId: 'getApiResource', summary: 'Read an API resource and the clients granted it', tag,
    params: pathParams('tenant', 'resourceId'), status: 200, response: ApiResourceDetailSchema,
    async handle({ ctx, principal, params }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const resource = await requireApiResource(ctx.db, tenant.id, params.resourceId);
      return describeApiResource(resource, await apiResourceQueries(ctx.db).clientIds(resource.id));
    },
  }),
  adminRoute<ResourceParams, Record<string, never>, Body>({
    method: 'PATCH', path: '/tenants/:tenant/resources/:resourceId', operationId: 'updateApiResource', summary: 'Change an API resource', tag,
    params: pathParams('tenant', 'resourceId'), body: patchBody(editable), status: 200, response: ApiResourceSchema,
    async handle(call) {
      const { ctx, principal, params, body } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const resource = await auditedChange(call, (db) => updateApiResource(db, tenant, params.resourceId, inputOf(body), ctx.now()), (r) => ({ action: 'api_resource.update', tenantId: tenant.id, target: { type: 'api_resource', id: r.id }, details: { fields: Object.keys(body) } }));
      return describeApiResource(resource);
    },
  }),
  adminRoute<ResourceParams>({
    method: 'DELETE', path: '/tenants/:tenant/resources/:resourceId', operationId: 'deleteApiResource', summary: 'Delete an API resource (tokens already issued for it stay valid until they expire)', tag,
    params: pathParams('tenant', 'resourceId'), status: 204, response: null,
    async handle(call) {
      const tenant = await tenantInPath(call.ctx, call.principal, call.params.tenant);
      await auditedChange(call, (db) => deleteApiResource(db, tenant.id, call.params.resourceId), (r) => ({ action: 'api_resource.delete', tenantId: tenant.id, target: { type: 'api_resource', id: r.id }, details: { identifier: r.identifier } }));
    },
  }),
  clientAccessRoute('PUT'),
  clientAccessRoute('DELETE'),
];
