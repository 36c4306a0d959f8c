/**
 * /admin/v1/tenants/{tenant}/api-keys: API keys of users and service accounts (the key is shown once). A key
 * acts as its owner, so creating, renaming or revoking one passes the admins-act-downward rule for the owner.
 */
import { apiKeyQueries } from '../db/queries/api-keys.ts';
import { createApiKey, describeApiKey, requireApiKey, revokeApiKey } from '../directory/api-keys.ts';
import type { ApiKeyMode } from '../tokens/api-key-format.ts';
import { authorizeOnUserId } from './admin-authority.ts';
import { adminRoute, pageRequest, pageResponse } from './admin-route.ts';
import type { ListQuery } from './admin-route.ts';
import { auditedChange } from './audited-change.ts';
import { dateTime, listQuery, named, nullableDateTime, object, pageOf, pathParams, string } from './json-schema.ts';
import { tenantInPath } from './tenant-scope.ts';
import type { TenantParams } from './tenant-scope.ts';
import { InvalidRequest } from '../errors/oauth-error.ts';

const modeSchema = { type: 'string', enum: ['live', 'test'], description: 'test keys are refused by tenants with require_live_api_keys' };
const permissionsSchema = { type: ['array', 'null'], items: { type: 'string' }, description: 'a subset of the owner\'s permissions; null means all of them' };
const keyProperties = {
  id: string(), tenant_id: string(), owner_user_id: string(), name: string(), mode: modeSchema,
  display_prefix: string({ description: 'the first characters of the key, to recognise it' }), permissions: permissionsSchema,
  expires_at: nullableDateTime, revoked_at: nullableDateTime, last_used_at: { ...nullableDateTime, description: 'updated in batches (about every 10 s)' }, created_at: dateTime,
};
export const ApiKeySchema = named('ApiKey', object(keyProperties));
export const CreatedApiKeySchema = named('CreatedApiKey', object({ ...keyProperties, key: string({ description: 'the API key, shown only in this answer' }) }));
const ApiKeyInput = object(
  { owner_user_id: string(), name: string({ minLength: 1, maxLength: 200 }), mode: modeSchema, permissions: permissionsSchema, expires_at: nullableDateTime },
  ['name', 'mode', 'permissions', 'expires_at'],
);
interface ApiKeyBody { owner_user_id: string; name?: string; mode?: ApiKeyMode; permissions?: string[] | null; expires_at?: string | null }
type KeyParams = TenantParams & { keyId: string };
const tag = 'API keys';

function expiry(value: string | null | undefined): number | null {
  if (value === undefined || value === null) return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InvalidRequest('expires_at must be an RFC 3339 date-time');
  return ms;
}

export const apiKeyRoutes = [
  adminRoute<TenantParams, ListQuery & { owner?: string }>({
    method: 'GET', path: '/tenants/:tenant/api-keys', operationId: 'listApiKeys', summary: 'List API keys; filter by owner', tag,
    params: pathParams('tenant'), query: listQuery({ owner: string({ description: 'owner user id' }) }), status: 200, response: pageOf('ApiKeyPage', ApiKeySchema),
    async handle({ ctx, principal, params, query }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      return pageResponse(await apiKeyQueries(ctx.db).list(tenant.id, query, pageRequest(query)), (row) => describeApiKey(row));
    },
  }),
  adminRoute<TenantParams, Record<string, never>, ApiKeyBody>({
    method: 'POST', path: '/tenants/:tenant/api-keys', operationId: 'createApiKey', summary: 'Create an API key for a user or service account (never more than the owner holds)', tag,
    params: pathParams('tenant'), body: ApiKeyInput, status: 201, response: CreatedApiKeySchema,
    async handle(call) {
      const { ctx, principal, params, body } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const input = { ownerUserId: body.owner_user_id, name: body.name, mode: body.mode, permissions: body.permissions, expiresAt: expiry(body.expires_at) };
      const created = await auditedChange(
        call,
        async (db) => {
          await authorizeOnUserId(db, principal, tenant.id, body.owner_user_id);
          return createApiKey(db, tenant, input, ctx.now());
        },
        (c) => ({ action: 'api_key.create', tenantId: tenant.id, target: { type: 'api_key', id: c.row.id }, details: { owner_user_id: c.row.owner_user_id, mode: c.row.mode } }),
      );
      return describeApiKey(created.row, created.key);
    },
  }),
  adminRoute<KeyParams>({
    method: 'GET', path: '/tenants/:tenant/api-keys/:keyId', operationId: 'getApiKey', summary: 'Read an API key (never the key itself)', tag,
    params: pathParams('tenant', 'keyId'), status: 200, response: ApiKeySchema,
    async handle({ ctx, principal, params }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      return describeApiKey(await requireApiKey(ctx.db, tenant.id, params.keyId));
    },
  }),
  adminRoute<KeyParams, Record<string, never>, { name: string }>({
    method: 'PATCH', path: '/tenants/:tenant/api-keys/:keyId', operationId: 'renameApiKey', summary: 'Rename an API key', tag,
    params: pathParams('tenant', 'keyId'), body: object({ name: string({ minLength: 1, maxLength: 200 }) }), status: 200, response: ApiKeySchema,
    async handle(call) {
      const { ctx, principal, params, body } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const row = await auditedChange(
        call,
        async (db) => {
          await authorizeOnUserId(db, principal, tenant.id, (await requireApiKey(db, tenant.id, params.keyId)).owner_user_id);
          await apiKeyQueries(db).rename(params.keyId, body.name.trim());
          return requireApiKey(db, tenant.id, params.keyId);
        },
        (k) => ({ action: 'api_key.update', tenantId: tenant.id, target: { type: 'api_key', id: k.id } }),
      );
      return describeApiKey(row);
    },
  }),
  adminRoute<KeyParams>({
    method: 'DELETE', path: '/tenants/:tenant/api-keys/:keyId', operationId: 'revokeApiKey', summary: 'Revoke an API key (it stops working at once; the record stays for the audit trail)', tag,
    params: pathParams('tenant', 'keyId'), status: 200, response: ApiKeySchema,
    async handle(call) {
      const { ctx, principal, params } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const row = await auditedChange(call, async (db) => {
        await authorizeOnUserId(db, principal, tenant.id, (await requireApiKey(db, tenant.id, params.keyId)).owner_user_id);
        return revokeApiKey(db, tenant.id, params.keyId, ctx.now());
      }, (k) => ({ action: 'api_key.revoke', tenantId: tenant.id, target: { type: 'api_key', id: k.id } }));
      return describeApiKey(row);
    },
  }),
];
