/** /admin/v1/tenants: tenants (each an issuer) and their settings. A tenant_admin sees and changes only its own. */
import { tenantAdminQueries } from '../db/queries/tenant-admin.ts';
import { SUPPORTED_LOCALES } from '../i18n/catalogs.ts';
import { describeTenant, insertTenant, provisionTenant } from '../directory/tenants.ts';
import { deleteTenant, updateTenant } from '../directory/tenant-changes.ts';
import { requireSuperAdmin } from './admin-auth.ts';
import type { AdminPrincipal } from './admin-auth.ts';
import { adminRoute, pageRequest, pageResponse } from './admin-route.ts';
import type { ListQuery } from './admin-route.ts';
import { auditedChange } from './audited-change.ts';
import { boolean, dateTime, listQuery, named, nullableString, object, pageOf, patchBody, pathParams, string } from './json-schema.ts';
import type { JsonSchema } from './json-schema.ts';
import { tenantInPath } from './tenant-scope.ts';
import type { TenantParams } from './tenant-scope.ts';

const seconds = (description: string): JsonSchema => ({ type: 'integer', minimum: 1, description });

export const TenantSettingsSchema = named('TenantSettings', {
  type: 'object',
  description: 'Settings of a tenant. On update, name only the settings that change; the rest keep their values.',
  properties: {
    access_token_lifetime: seconds('seconds'),
    id_token_lifetime: seconds('seconds'),
    refresh_token_lifetime: seconds('seconds'),
    authorization_code_lifetime: seconds('seconds (at most 60)'),
    refresh_token_rotation: boolean,
    reuse_grace: { type: 'integer', minimum: 0, maximum: 60, description: 'seconds during which a rotated-out refresh token presented again by its client is a retry, not a replay (0 = always a replay); refresh tokens only: a code is single-use whatever this says' },
    signing_alg: { type: 'string', enum: ['RS256', 'ES256', 'EdDSA'] },
    allowed_signing_algs: { type: 'array', items: { type: 'string', enum: ['RS256', 'ES256', 'EdDSA'] } },
    api_key_prefix: string({ description: 'API keys look like <prefix>_live_… / <prefix>_test_…' }),
    require_live_api_keys: { type: 'boolean', description: 'Refuse <prefix>_test_… API keys at creation and at use' },
    password_policy: {
      type: 'object',
      description: 'Passwords people choose (sign-up, reset, invitation, account page): length bounds and the least zxcvbn strength score (0..4)',
      properties: { min_length: { type: 'integer', minimum: 8, maximum: 128 }, max_length: { type: 'integer', minimum: 8, maximum: 128 }, min_strength: { type: 'integer', minimum: 0, maximum: 4 } },
      additionalProperties: true,
    },
    features: { type: 'object', additionalProperties: true },
    default_locale: string({ description: `the hosted pages' language when neither ui_locales nor Accept-Language names a supported one (${SUPPORTED_LOCALES.join(', ')})` }),
    client_registration: { type: 'object', additionalProperties: true, description: 'RFC 7591 dynamic registration: enabled, open (no initial access token), grant_types, redirect_uri_schemes, scopes, token_endpoint_auth_methods' },
    client_id_metadata_documents: { type: 'boolean', description: 'Accept client ID metadata documents (client_id is an https URL)' },
    mfa: {
      type: 'object',
      description: 'Strong sign-in: policy off | optional | required, required_for_admins, allowed_factors (totp, passkey)',
      properties: {
        policy: { type: 'string', enum: ['off', 'optional', 'required'] },
        required_for_admins: boolean,
        allowed_factors: { type: 'array', items: { type: 'string', enum: ['totp', 'passkey'] } },
      },
      additionalProperties: true,
    },
  },
  additionalProperties: true,
});

export const TenantSchema = named(
  'Tenant',
  object({ id: string(), slug: string(), name: string(), partner_id: nullableString(), issuer: string({ format: 'uri' }), settings: TenantSettingsSchema, created_at: dateTime, updated_at: dateTime }),
);
const slugSchema = string({ pattern: '^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$' });
const TenantInput = object({ slug: slugSchema, name: string({ minLength: 1, maxLength: 200 }), partner_id: nullableString(), settings: TenantSettingsSchema }, ['name', 'partner_id', 'settings']);
const TenantPatch = patchBody({ name: string({ minLength: 1, maxLength: 200 }), partner_id: nullableString(), settings: TenantSettingsSchema });
type TenantBody = { slug: string; name?: string; partner_id?: string | null; settings?: Record<string, unknown> };
type TenantPatchBody = Partial<TenantBody>;
const tag = 'Tenants';
const idParams = pathParams('tenant');

/** Which tenants a list shows: all (super_admin), the partner's (partner_admin), or the admin's own; undefined: none. */
function tenantListFilter(principal: AdminPrincipal, partnerId: string | undefined): { partnerId?: string | undefined; onlyId?: string | undefined } | undefined {
  if (principal.role === 'super_admin') return { partnerId };
  if (principal.role === 'partner_admin' && principal.partnerId !== null) {
    return partnerId === undefined || partnerId === principal.partnerId ? { partnerId: principal.partnerId } : undefined;
  }
  return { partnerId, onlyId: principal.tenantId };
}

export const tenantRoutes = [
  adminRoute<Record<string, never>, ListQuery & { partner_id?: string }>({
    method: 'GET', path: '/tenants', operationId: 'listTenants', summary: 'List tenants (a tenant_admin sees only its own, a partner_admin its partner\'s)', tag,
    query: listQuery({ partner_id: string({ description: 'only tenants of this partner' }) }), status: 200, response: pageOf('TenantPage', TenantSchema),
    async handle({ ctx, principal, query }) {
      const filter = tenantListFilter(principal, query.partner_id);
      if (filter === undefined) return { data: [], next_cursor: null };
      return pageResponse(await tenantAdminQueries(ctx.db).list(filter, pageRequest(query)), (t) => describeTenant(ctx, t));
    },
  }),
  adminRoute<Record<string, never>, Record<string, never>, TenantBody>({
    method: 'POST', path: '/tenants', operationId: 'createTenant', summary: 'Create a tenant, standalone or under a partner (super_admin)', tag,
    body: TenantInput, status: 201, response: TenantSchema,
    async handle(call) {
      const { ctx, body } = call;
      requireSuperAdmin(call.principal);
      const row = await auditedChange(
        call,
        (db) => insertTenant(db, { slug: body.slug, name: body.name, partnerId: body.partner_id ?? null, settings: body.settings }, ctx.now()),
        (t) => ({ action: 'tenant.create', tenantId: t.id, target: { type: 'tenant', id: t.id } }),
      );
      return describeTenant(ctx, await provisionTenant(ctx, row));
    },
  }),
  adminRoute<TenantParams>({
    method: 'GET', path: '/tenants/:tenant', operationId: 'getTenant', summary: 'Read a tenant (by id or slug) with its settings', tag,
    params: idParams, status: 200, response: TenantSchema,
    async handle({ ctx, principal, params }) {
      return describeTenant(ctx, await tenantInPath(ctx, principal, params.tenant));
    },
  }),
  adminRoute<TenantParams, Record<string, never>, TenantPatchBody>({
    method: 'PATCH', path: '/tenants/:tenant', operationId: 'updateTenant', summary: 'Rename a tenant, change settings, or move it to a partner (super_admin)', tag,
    params: idParams, body: TenantPatch, status: 200, response: TenantSchema,
    async handle(call) {
      const { ctx, principal, params, body } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      if (body.partner_id !== undefined) requireSuperAdmin(principal);
      const updated = await auditedChange(
        call,
        (db) => updateTenant(db, tenant, { name: body.name, settings: body.settings, partnerId: body.partner_id }, ctx.now()),
        (t) => ({ action: 'tenant.update', tenantId: t.id, target: { type: 'tenant', id: t.id }, details: { fields: Object.keys(body), settings: Object.keys(body.settings ?? {}) } }),
      );
      ctx.tenants.invalidate(tenant);
      // A new signing_alg takes effect through a staged key: published now, signing after the activation delay
      // (the old algorithm signs until then). Staged here so it starts now, not at the next token request.
      if (updated.settings.signing_alg !== tenant.settings.signing_alg) {
        // The change has committed: if staging fails now, the next token request stages the key instead.
        await ctx.signingKeys.prepareSigner(tenant.id).catch((error: unknown) => ctx.logger.warn({ err: error, tenant: tenant.id }, 'could not stage a key for the new signing_alg yet'));
      }
      return describeTenant(ctx, updated);
    },
  }),
  adminRoute<TenantParams>({
    method: 'DELETE', path: '/tenants/:tenant', operationId: 'deleteTenant', summary: 'Delete a tenant and everything in it (super_admin)', tag,
    params: idParams, status: 204, response: null,
    async handle(call) {
      const { ctx, principal, params } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      requireSuperAdmin(principal);
      await auditedChange(call, (db) => deleteTenant(db, tenant), () => ({ action: 'tenant.delete', tenantId: tenant.id, target: { type: 'tenant', id: tenant.id }, details: { slug: tenant.slug } }));
      ctx.tenants.invalidate(tenant);
      ctx.signingKeys.invalidate(tenant.id);
    },
  }),
];
