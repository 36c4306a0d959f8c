/** /admin/v1/tenants/{tenant}/initial-access-tokens: what a closed registration endpoint asks for (RFC 7591 §3). */
import { createInitialAccessToken, describeInitialAccessToken, listInitialAccessTokens, revokeInitialAccessToken } from '../resources/registration/initial-access-tokens.ts';
import { adminRoute } from './admin-route.ts';
import { auditedChange } from './audited-change.ts';
import { boolean, dateTime, named, nullableDateTime, object, pathParams, string } from './json-schema.ts';
import { tenantInPath } from './tenant-scope.ts';
import type { TenantParams } from './tenant-scope.ts';

const properties = { id: string(), tenant_id: string(), name: string(), single_use: boolean, expires_at: nullableDateTime, used_at: nullableDateTime, revoked_at: nullableDateTime, created_at: dateTime };
const TokenSchema = named('InitialAccessToken', object(properties));
const CreatedSchema = named('CreatedInitialAccessToken', object({ ...properties, token: string({ description: 'shown only in this answer; send it as Authorization: Bearer to the registration endpoint' }) }));
const Input = object({ name: string({ minLength: 1, maxLength: 200 }), single_use: boolean, expires_in: { type: 'integer', minimum: 60, maximum: 31536000, description: 'seconds' } }, ['name', 'single_use', 'expires_in']);
const tag = 'Client registration';

export const initialAccessTokenRoutes = [
  adminRoute<TenantParams>({
    method: 'GET', path: '/tenants/:tenant/initial-access-tokens', operationId: 'listInitialAccessTokens', summary: 'List initial access tokens (never the tokens themselves)', tag,
    params: pathParams('tenant'), status: 200, response: { type: 'object', properties: { data: { type: 'array', items: TokenSchema } }, required: ['data'] },
    async handle({ ctx, principal, params }) {
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      return { data: (await listInitialAccessTokens(ctx.db, tenant.id)).map((row) => describeInitialAccessToken(row)) };
    },
  }),
  adminRoute<TenantParams, Record<string, never>, { name?: string; single_use?: boolean; expires_in?: number }>({
    method: 'POST', path: '/tenants/:tenant/initial-access-tokens', operationId: 'createInitialAccessToken', summary: 'Issue an initial access token for dynamic client registration (shown once)', tag,
    params: pathParams('tenant'), body: Input, status: 201, response: CreatedSchema,
    async handle(call) {
      const { ctx, principal, params, body } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const created = await auditedChange(
        call,
        (db) => createInitialAccessToken(db, tenant.id, { name: body.name, singleUse: body.single_use, expiresIn: body.expires_in }, ctx.now()),
        (c) => ({ action: 'initial_access_token.create', tenantId: tenant.id, target: { type: 'initial_access_token', id: c.row.id } }),
      );
      return describeInitialAccessToken(created.row, created.token);
    },
  }),
  adminRoute<TenantParams & { tokenId: string }>({
    method: 'DELETE', path: '/tenants/:tenant/initial-access-tokens/:tokenId', operationId: 'revokeInitialAccessToken', summary: 'Revoke an initial access token', tag,
    params: pathParams('tenant', 'tokenId'), status: 200, response: TokenSchema,
    async handle(call) {
      const { ctx, principal, params } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      const row = await auditedChange(call, (db) => revokeInitialAccessToken(db, tenant.id, params.tokenId, ctx.now()), (r) => ({ action: 'initial_access_token.revoke', tenantId: tenant.id, target: { type: 'initial_access_token', id: r.id } }));
      return describeInitialAccessToken(row);
    },
  }),
];
