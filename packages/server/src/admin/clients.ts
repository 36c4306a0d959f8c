/**
 * /admin/v1/tenants/{tenant}/clients: applications, their token contents, and secret rotation. Every change
 * passes the admins-act-downward rule (`admin-authority.ts`) inside its transaction: a client acting as a
 * higher admin is out of reach, and no client leaves with more rights than its changer holds.
 */
import type { Database } from '../db/database.ts';
import { clientAdminQueries } from '../db/queries/client-admin.ts';
import type { ClientType } from '../db/schema.ts';
import { deleteClient, requireClient, updateClient } from '../directory/client-changes.ts';
import type { AuthorizationsReset } from '../directory/client-authorizations.ts';
import { createClient, describeClient, rotateClientSecret, TOKEN_CLAIM_OPTIONS } from '../directory/clients.ts';
import { authorizeNewClient, authorizeOnClient } from './admin-authority.ts';
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
const AuthorizationsResetSchema = object({
  changed: { ...stringList, description: 'the changed fields that users had approved (redirect_uris, scopes, grant_types, token_endpoint_auth_method); empty: nothing was reset' },
  consents: { type: 'integer', description: 'users whose consent to this client was dropped (they are asked again)' },
  grants: { type: 'integer', description: 'grants revoked with their refresh tokens, access tokens and unredeemed codes' },
});
export const UpdatedClientSchema = named('UpdatedClient', object({ ...clientProperties, authorizations_reset: AuthorizationsResetSchema }));
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

function describeReset(reset: AuthorizationsReset | null) {
  return reset === null ? { changed: [], consents: 0, grants: 0 } : { changed: [...reset.changed], consents: reset.consents, grants: reset.grants };
}

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
        (db) => {
          authorizeNewClient(principal, body.scopes);
          return createClient(ctx, tenant, { ...changesOf(body), name: body.name ?? '', type: body.type }, db);
        },
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
    method: 'PATCH', path: '/tenants/:tenant/clients/:clientId', operationId: 'updateClient',
    summary: 'Change a client: redirect URIs, grants, scopes, audience, token contents. Changing redirect URIs, scopes or grant types drops every user\'s consent to it and revokes its grants (see authorizations_reset)', tag,
    params: pathParams('tenant', 'clientId'), body: patchBody(editable), status: 200, response: UpdatedClientSchema,
    async handle(call) {
      const { ctx, principal, params, body } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const updated = await auditedChange(
        call,
        async (db) => {
          const client = await requireClient(db, tenant.id, params.clientId);
          await authorizeOnClient(db, principal, client, { scopes: body.scopes });
          return updateClient(db, client, changesOf(body), ctx.now());
        },
        (u) => ({ action: 'client.update', tenantId: tenant.id, target: { type: 'client', id: u.client.clientId }, details: { fields: Object.keys(body), authorizations_reset: describeReset(u.authorizationsReset) } }),
      );
      return { ...describeClient(updated.client, tenant), authorizations_reset: describeReset(updated.authorizationsReset) };
    },
  }),
  adminRoute<ClientParams>({
    method: 'DELETE', path: '/tenants/:tenant/clients/:clientId', operationId: 'deleteClient', summary: 'Delete a client and its service account', tag,
    params: pathParams('tenant', 'clientId'), status: 204, response: null,
    async handle(call) {
      const tenant = await tenantInPath(call.ctx, call.principal, call.params.tenant);
      const remove = async (db: Database) => {
        await authorizeOnClient(db, call.principal, await requireClient(db, tenant.id, call.params.clientId));
        return deleteClient(db, tenant.id, call.params.clientId);
      };
      await auditedChange(call, remove, (c) => ({ action: 'client.delete', tenantId: tenant.id, target: { type: 'client', id: c.clientId } }));
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
          await authorizeOnClient(db, principal, await requireClient(db, tenant.id, params.clientId));
          return rotateClientSecret(ctx, params.clientId, db);
        },
        (r) => ({ action: 'client.secret.rotate', tenantId: tenant.id, target: { type: 'client', id: r.client.clientId } }),
      );
      return describeClient(rotated.client, tenant, rotated.clientSecret);
    },
  }),
];
