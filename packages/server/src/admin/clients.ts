/** /admin/v1/tenants/{tenant}/clients: applications, their token contents, and secret rotation. */
import { clientAdminQueries } from '../db/queries/client-admin.ts';
import type { ClientType } from '../db/schema.ts';
import { deleteClient, requireClient, updateClient } from '../directory/client-changes.ts';
import { createClient, describeClient, rotateClientSecret, TOKEN_CLAIM_OPTIONS } from '../directory/clients.ts';
import { adminRoute, pageRequest, pageResponse } from './admin-route.ts';
import type { ListQuery } from './admin-route.ts';
import { auditedChange } from './audited-change.ts';
import { dateTime, listQuery, named, nullableString, object, pageOf, patchBody, pathParams, string, stringList } from './json-schema.ts';
import { tenantInPath } from './tenant-scope.ts';
import type { TenantParams } from './tenant-scope.ts';

const tokenClaims = { type: 'array', items: { type: 'string', enum: [...TOKEN_CLAIM_OPTIONS] }, description: 'what access tokens carry about the principal (default groups, tenant_id)' };
const clientProperties = {
  client_id: string(), tenant: string(), tenant_id: string(), name: string(), type: { type: 'string', enum: ['confidential', 'public'] },
  grant_types: stringList, redirect_uris: stringList, post_logout_redirect_uris: stringList, scopes: stringList, audience: string(),
  token_claims: stringList, service_account_id: nullableString({ description: 'the user id of the service account (confidential clients)' }),
  token_endpoint_auth_method: string(), created_at: dateTime, updated_at: dateTime,
  logo_uri: nullableString({ description: 'https; shown on the sign-in page (RFC 7591 §2)' }), policy_uri: nullableString({ description: 'https; linked from the sign-in page' }), tos_uri: nullableString({ description: 'https; linked from the sign-in page' }),
};
export const ClientSchema = named('Client', object(clientProperties));
export const ClientWithSecretSchema = named('ClientWithSecret', object({ ...clientProperties, client_secret: string({ description: 'shown only in this answer' }) }, ['client_secret']));
const editable = {
  name: string({ minLength: 1, maxLength: 200 }), redirect_uris: stringList, post_logout_redirect_uris: stringList, grant_types: stringList,
  scopes: { ...stringList, description: 'scopes the client may request; add latchkey:admin to let it call the admin API for its tenant' },
  audience: nullableString({ maxLength: 500 }), token_claims: tokenClaims,
  logo_uri: nullableString({ maxLength: 2000, description: 'https URL of the client\'s logo, shown on the sign-in page' }),
  policy_uri: nullableString({ maxLength: 2000, description: 'https URL of the client\'s privacy policy' }),
  tos_uri: nullableString({ maxLength: 2000, description: 'https URL of the client\'s terms of service' }),
};
const ClientInput = object({ ...editable, type: { type: 'string', enum: ['confidential', 'public'] } }, [...Object.keys(editable).filter((k) => k !== 'name'), 'type']);
interface ClientBody {
  name?: string; type?: ClientType; redirect_uris?: string[]; post_logout_redirect_uris?: string[]; grant_types?: string[];
  scopes?: string[]; audience?: string | null; token_claims?: string[];
  logo_uri?: string | null; policy_uri?: string | null; tos_uri?: string | null;
}
type ClientParams = TenantParams & { clientId: string };
const tag = 'Clients';

function changesOf(body: ClientBody) {
  return {
    name: body.name, redirectUris: body.redirect_uris, postLogoutRedirectUris: body.post_logout_redirect_uris, grantTypes: body.grant_types,
    scopes: body.scopes, audience: body.audience, tokenClaims: body.token_claims,
    logoUri: body.logo_uri, policyUri: body.policy_uri, tosUri: body.tos_uri,
  };
}

export const clientRoutes = [
  adminRoute<TenantParams, ListQuery>({
    method: 'GET', path: '/tenants/:tenant/clients', operationId: 'listClients', summary: 'List the clients of a tenant', tag,
    params: pathParams('tenant'), query: listQuery(), status: 200, response: pageOf('ClientPage', ClientSchema),
    async handle({ ctx, principal, params, query }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      return pageResponse(await clientAdminQueries(ctx.db).list(tenant.id, pageRequest(query)), (c) => describeClient(c, tenant));
    },
  }),
  adminRoute<TenantParams, Record<string, never>, ClientBody>({
    method: 'POST', path: '/tenants/:tenant/clients', operationId: 'createClient', summary: 'Register a client (a confidential one gets a secret, shown once, and a service account)', tag,
    params: pathParams('tenant'), body: ClientInput, status: 201, response: ClientWithSecretSchema,
    async handle(call) {
      const { ctx, principal, params, body } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const created = await auditedChange(
        call,
        (db) => createClient(ctx, tenant, { ...changesOf(body), name: body.name ?? '', type: body.type }, db),
        (c) => ({ action: 'client.create', tenantId: tenant.id, target: { type: 'client', id: c.client.clientId } }),
      );
      return describeClient(created.client, tenant, created.clientSecret);
    },
  }),
  adminRoute<ClientParams>({
    method: 'GET', path: '/tenants/:tenant/clients/:clientId', operationId: 'getClient', summary: 'Read a client', tag,
    params: pathParams('tenant', 'clientId'), status: 200, response: ClientSchema,
    async handle({ ctx, principal, params }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      return describeClient(await requireClient(ctx.db, tenant.id, params.clientId), tenant);
    },
  }),
  adminRoute<ClientParams, Record<string, never>, ClientBody>({
    method: 'PATCH', path: '/tenants/:tenant/clients/:clientId', operationId: 'updateClient', summary: 'Change a client: redirect URIs, grants, scopes, audience, token contents', tag,
    params: pathParams('tenant', 'clientId'), body: patchBody(editable), status: 200, response: ClientSchema,
    async handle(call) {
      const { ctx, principal, params, body } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const client = await auditedChange(call, (db) => updateClient(db, tenant.id, params.clientId, changesOf(body), ctx.now()), (c) => ({ action: 'client.update', tenantId: tenant.id, target: { type: 'client', id: c.clientId }, details: { fields: Object.keys(body) } }));
      return describeClient(client, tenant);
    },
  }),
  adminRoute<ClientParams>({
    method: 'DELETE', path: '/tenants/:tenant/clients/:clientId', operationId: 'deleteClient', summary: 'Delete a client and its service account', tag,
    params: pathParams('tenant', 'clientId'), status: 204, response: null,
    async handle(call) {
      const tenant = await tenantInPath(call.ctx, call.principal, call.params.tenant);
      await auditedChange(call, (db) => deleteClient(db, tenant.id, call.params.clientId), (c) => ({ action: 'client.delete', tenantId: tenant.id, target: { type: 'client', id: c.clientId } }));
    },
  }),
  adminRoute<ClientParams>({
    method: 'POST', path: '/tenants/:tenant/clients/:clientId/secret', operationId: 'rotateClientSecret', summary: 'Issue a new client secret (shown once); the old one stops working at once', tag,
    params: pathParams('tenant', 'clientId'), status: 200, response: ClientWithSecretSchema,
    async handle(call) {
      const { ctx, principal, params } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const rotated = await auditedChange(
        call,
        async (db) => {
          await requireClient(db, tenant.id, params.clientId);
          return rotateClientSecret(ctx, params.clientId, db);
        },
        (r) => ({ action: 'client.secret.rotate', tenantId: tenant.id, target: { type: 'client', id: r.client.clientId } }),
      );
      return describeClient(rotated.client, tenant, rotated.clientSecret);
    },
  }),
];
