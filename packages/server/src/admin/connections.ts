/**
 * /admin/v1/tenants/{tenant}/connections: the tenant's upstream identity providers (issue 18), and the
 * identities users have linked through them. Secrets go in (`secrets`) and never come out; the user-facing
 * routes (identities, stored upstream tokens) pass the admins-act-downward rule like every change on a user.
 */
import { federatedIdentityQueries } from '../db/queries/federated-identities.ts';
import { connectionQueries } from '../db/queries/connections.ts';
import { createConnection, deleteConnection, describeConnection, requireConnection, toConnection, updateConnection } from '../federation/connections.ts';
import type { ConnectionInput } from '../federation/connections.ts';
import { describeIdentity, readStoredTokens, unlinkIdentity } from '../federation/identities.ts';
import { requireUser } from '../directory/users.ts';
import { NotFound } from '../errors/oauth-error.ts';
import { authorizeOnUserId } from './admin-authority.ts';
import { adminRoute, pageRequest } from './admin-route.ts';
import type { ListQuery } from './admin-route.ts';
import { auditedChange } from './audited-change.ts';
import { boolean, dateTime, listQuery, named, nullableString, object, pageOf, patchBody, pathParams, string, stringList } from './json-schema.ts';
import { tenantInPath } from './tenant-scope.ts';
import type { TenantParams } from './tenant-scope.ts';

const typeSchema = { type: 'string', enum: ['oidc', 'oauth2', 'saml'] };
const presetSchema = { type: ['string', 'null'], enum: ['github', 'google', 'entra', null] };
const settingsSchema = {
  type: 'object',
  description: 'issuer, client_id, client_auth, scopes, allowed_tenant_ids (Entra), idp_metadata_url / idp_metadata_xml / sp_certificate (SAML), trust_email, create_users, sync_groups, group_mapping, claim_mapping, store_tokens, idp_claim (see docs/federation.md)',
  additionalProperties: true,
};
const secretsSchema = {
  type: 'object',
  writeOnly: true,
  description: 'sealed at rest, never returned: client_secret, private_key_jwk (oidc, oauth2), sp_private_key (saml, PEM)',
  properties: { client_secret: string({ maxLength: 2000 }), private_key_jwk: { type: 'object', additionalProperties: true }, sp_private_key: string({ maxLength: 20000 }) },
  additionalProperties: false,
};
export const ConnectionSchema = named(
  'Connection',
  object(
    {
      id: string(), tenant_id: string(), slug: string(), name: string(), type: typeSchema, preset: presetSchema, enabled: boolean,
      domains: { ...stringList, description: 'email domains sent straight to this connection (home-realm discovery); unique per tenant' },
      settings: settingsSchema, has_secrets: boolean, callback_url: string({ description: 'register this redirect URI (or ACS URL) at the upstream' }),
      sp_metadata_url: string({ description: 'SAML only: the SP metadata to give the IdP' }), created_at: dateTime, updated_at: dateTime,
    },
    ['sp_metadata_url'],
  ),
);
const fields = {
  slug: string({ minLength: 2, maxLength: 63 }), name: string({ minLength: 1, maxLength: 200 }), type: typeSchema, preset: presetSchema, enabled: boolean,
  domains: { ...stringList, maxItems: 100 }, settings: settingsSchema, secrets: secretsSchema,
};
const ConnectionInputSchema = object(fields, ['slug', 'name', 'type', 'preset', 'enabled', 'domains', 'settings', 'secrets']);
const ConnectionPatch = patchBody(fields);
export const IdentitySchema = named('LinkedIdentity', object({ connection_id: string(), connection: string(), subject: string(), user_id: string(), email: nullableString(), has_tokens: boolean, created_at: dateTime, last_sign_in_at: dateTime }));
type ConnectionParams = TenantParams & { connection: string };
type UserParams = TenantParams & { userId: string };
type IdentityParams = UserParams & { connection: string; subject: string };
const tag = 'Connections';

export const connectionRoutes = [
  adminRoute<TenantParams, ListQuery>({
    method: 'GET', path: '/tenants/:tenant/connections', operationId: 'listConnections', summary: 'List the tenant\'s connections to upstream identity providers', tag,
    params: pathParams('tenant'), query: listQuery(), status: 200, response: pageOf('ConnectionPage', ConnectionSchema),
    async handle({ ctx, principal, params, query }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const queries = connectionQueries(ctx.db);
      const page = await queries.list(tenant.id, pageRequest(query));
      const data = [];
      for (const row of page.data) data.push(describeConnection(toConnection(row, await queries.domains(row.id)), ctx.config.baseUrl, tenant.slug));
      return { data, next_cursor: page.nextCursor };
    },
  }),
  adminRoute<TenantParams, Record<string, never>, ConnectionInput>({
    method: 'POST', path: '/tenants/:tenant/connections', operationId: 'createConnection', summary: 'Create a connection (oidc, oauth2 preset, saml); secrets are sealed and never returned', tag,
    params: pathParams('tenant'), body: ConnectionInputSchema, status: 201, response: ConnectionSchema,
    async handle(call) {
      const tenant = await tenantInPath(call.ctx, call.principal, call.params.tenant);
      const connection = await auditedChange(call, (db) => createConnection(call.ctx, db, tenant.id, call.body), (c) => ({ action: 'connection.create', tenantId: tenant.id, target: { type: 'connection', id: c.id }, details: { slug: c.slug, type: c.type, preset: c.preset, domains: c.domains } }));
      return describeConnection(connection, call.ctx.config.baseUrl, tenant.slug);
    },
  }),
  adminRoute<ConnectionParams>({
    method: 'GET', path: '/tenants/:tenant/connections/:connection', operationId: 'getConnection', summary: 'Read a connection (by id or slug)', tag,
    params: pathParams('tenant', 'connection'), status: 200, response: ConnectionSchema,
    async handle({ ctx, principal, params }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      return describeConnection(await requireConnection(ctx.db, tenant.id, params.connection), ctx.config.baseUrl, tenant.slug);
    },
  }),
  adminRoute<ConnectionParams, Record<string, never>, ConnectionInput>({
    method: 'PATCH', path: '/tenants/:tenant/connections/:connection', operationId: 'updateConnection', summary: 'Change, enable or disable a connection; settings merge over the current ones; secrets replace', tag,
    params: pathParams('tenant', 'connection'), body: ConnectionPatch, status: 200, response: ConnectionSchema,
    async handle(call) {
      const tenant = await tenantInPath(call.ctx, call.principal, call.params.tenant);
      const connection = await auditedChange(call, (db) => updateConnection(call.ctx, db, tenant.id, call.params.connection, call.body), (c) => ({ action: 'connection.update', tenantId: tenant.id, target: { type: 'connection', id: c.id }, details: { fields: Object.keys(call.body), enabled: c.enabled } }));
      return describeConnection(connection, call.ctx.config.baseUrl, tenant.slug);
    },
  }),
  adminRoute<ConnectionParams>({
    method: 'DELETE', path: '/tenants/:tenant/connections/:connection', operationId: 'deleteConnection', summary: 'Delete a connection and every identity linked through it (the users stay)', tag,
    params: pathParams('tenant', 'connection'), status: 204, response: null,
    async handle(call) {
      const tenant = await tenantInPath(call.ctx, call.principal, call.params.tenant);
      await auditedChange(call, (db) => deleteConnection(db, tenant.id, call.params.connection), (c) => ({ action: 'connection.delete', tenantId: tenant.id, target: { type: 'connection', id: c.id }, details: { slug: c.slug } }));
    },
  }),
  adminRoute<UserParams>({
    method: 'GET', path: '/tenants/:tenant/users/:userId/identities', operationId: 'listUserIdentities', summary: 'The upstream identities linked to a user', tag,
    params: pathParams('tenant', 'userId'), status: 200, response: named('LinkedIdentityList', object({ data: { type: 'array', items: IdentitySchema } })),
    async handle({ ctx, principal, params }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const user = await requireUser(ctx.db, tenant.id, params.userId);
      const identities = await federatedIdentityQueries(ctx.db).listForUser(user.id);
      return { data: await Promise.all(identities.map((identity) => describeIdentity(ctx.db, identity))) };
    },
  }),
  adminRoute<IdentityParams>({
    method: 'DELETE', path: '/tenants/:tenant/users/:userId/identities/:connection/:subject', operationId: 'unlinkUserIdentity', summary: 'Unlink an upstream identity from a user', tag,
    params: pathParams('tenant', 'userId', 'connection', 'subject'), status: 204, response: null,
    async handle(call) {
      const { ctx, principal, params } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const connection = await requireConnection(ctx.db, tenant.id, params.connection);
      await auditedChange(
        call,
        async (db) => {
          await authorizeOnUserId(db, principal, tenant.id, params.userId);
          await unlinkIdentity(db, tenant.id, params.userId, connection.id, params.subject, { requireOtherWay: false });
        },
        () => ({ action: 'identity.unlink', tenantId: tenant.id, target: { type: 'user', id: params.userId }, details: { connection_id: connection.id } }),
      );
    },
  }),
  adminRoute<IdentityParams>({
    method: 'GET', path: '/tenants/:tenant/users/:userId/identities/:connection/:subject/tokens', operationId: 'getUpstreamTokens',
    summary: 'The upstream tokens stored for a linked identity (only when its connection has store_tokens); audited', tag,
    params: pathParams('tenant', 'userId', 'connection', 'subject'), status: 200,
    response: named('UpstreamTokens', object({ access_token: string(), token_type: nullableString(), refresh_token: nullableString(), id_token: nullableString(), expires_at: nullableString(), scope: nullableString() }, ['token_type', 'refresh_token', 'id_token', 'expires_at', 'scope'])),
    async handle(call) {
      const { ctx, principal, params } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const connection = await requireConnection(ctx.db, tenant.id, params.connection);
      return auditedChange(
        call,
        async (db) => {
          await authorizeOnUserId(db, principal, tenant.id, params.userId);
          const tokens = await readStoredTokens(ctx, db, params.userId, connection.id, params.subject);
          if (tokens === undefined) throw new NotFound('no tokens are stored for this identity');
          return tokens;
        },
        () => ({ action: 'identity.tokens.read', tenantId: tenant.id, target: { type: 'user', id: params.userId }, details: { connection_id: connection.id } }),
      );
    },
  }),
];
