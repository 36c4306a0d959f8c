/**
 * /admin/v1/tenants/:tenant/branding and /admin/v1/partners/:partnerId/branding: a brand as data
 * (docs/branding.md). A tenant_admin brands its own tenant; a partner's brand (super_admin) is the default its
 * tenants inherit field by field. PUT replaces the whole brand; every refused field is named in one 400 and
 * nothing is stored.
 */
import { APPEARANCES, CUSTOM_PROPERTIES } from '../branding/brand.ts';
import { removePartnerBrand, removeTenantBrand, replacePartnerBrand, replaceTenantBrand } from '../branding/brand-changes.ts';
import { loadBrand, tenantBrand } from '../branding/brands.ts';
import { requirePartner } from '../directory/partners.ts';
import { requireSuperAdmin } from './admin-auth.ts';
import type { AdminCall } from './admin-route.ts';
import { adminRoute } from './admin-route.ts';
import { named, object, pathParams, string } from './json-schema.ts';
import type { JsonSchema } from './json-schema.ts';
import { tenantInPath } from './tenant-scope.ts';
import type { TenantParams } from './tenant-scope.ts';

const https = (description: string): JsonSchema => string({ format: 'uri', maxLength: 2000, description: `${description} (https only)` });
const colour = (description: string): JsonSchema => string({ maxLength: 7, description: `#rgb or #rrggbb; ${description}` });

export const BrandSchema = named('Brand', {
  type: 'object',
  description: 'How the hosted pages look. Every field is optional; a tenant inherits the fields it leaves out from its partner\'s brand.',
  properties: {
    display_name: string({ maxLength: 100, description: 'shown above every page heading instead of the tenant name' }),
    logo_url: https('the logo, fetched by the browser; the page\'s CSP allows exactly this origin for images'),
    logo_alt: string({ maxLength: 200, description: 'the logo\'s text alternative (needed with logo_url)' }),
    primary_color: colour('button colour; white text on it must reach 4.5:1 (WCAG AA)'),
    accent_color: colour('link colour; must reach 4.5:1 on the page surface of the brand\'s appearance'),
    appearance: { type: 'string', enum: APPEARANCES, description: 'auto follows the system setting' },
    support_email: string({ maxLength: 254, description: 'shown in the page footer' }),
    terms_url: https('terms of service, linked in the footer'),
    privacy_url: https('privacy policy, linked in the footer'),
    custom_css: string({ maxLength: 2000, description: `declarations of the brand's custom properties only: ${Object.keys(CUSTOM_PROPERTIES).join(', ')}` }),
  },
  additionalProperties: true,
});

const TenantBrandingSchema = named('TenantBranding', {
  type: 'object',
  properties: { brand: BrandSchema, inherited: BrandSchema, effective: BrandSchema },
  required: ['brand', 'inherited', 'effective'],
});
const PartnerBrandingSchema = named('PartnerBranding', object({ brand: BrandSchema }));

type PartnerParams = { partnerId: string };
const tag = 'Branding';

/** The admin calling, as the audit log records it. */
function actorOf(call: Pick<AdminCall<unknown, unknown, unknown>, 'principal' | 'request'>) {
  return { type: call.principal.type, id: call.principal.id, ip: call.request.ip };
}

async function describeTenantBranding(call: { ctx: Parameters<typeof tenantBrand>[0] }, tenant: Parameters<typeof tenantBrand>[1]) {
  const { own, inherited, effective } = await tenantBrand(call.ctx, tenant);
  return { brand: own, inherited, effective };
}

export const brandingRoutes = [
  adminRoute<TenantParams>({
    method: 'GET', path: '/tenants/:tenant/branding', operationId: 'getTenantBranding', summary: 'Read a tenant\'s brand, what it inherits from its partner, and what its pages show', tag,
    params: pathParams('tenant'), status: 200, response: TenantBrandingSchema,
    async handle({ ctx, principal, params }) {
      return describeTenantBranding({ ctx }, await tenantInPath(ctx, principal, params.tenant));
    },
  }),
  adminRoute<TenantParams, Record<string, never>, Record<string, unknown>>({
    method: 'PUT', path: '/tenants/:tenant/branding', operationId: 'putTenantBranding', summary: 'Replace a tenant\'s brand (validated: hex colours, https URLs, WCAG AA contrast, custom properties only)', tag,
    params: pathParams('tenant'), body: BrandSchema, status: 200, response: TenantBrandingSchema,
    async handle(call) {
      const { ctx, principal, params, body } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      await replaceTenantBrand(ctx, actorOf(call), tenant, body);
      return describeTenantBranding({ ctx }, tenant);
    },
  }),
  adminRoute<TenantParams>({
    method: 'DELETE', path: '/tenants/:tenant/branding', operationId: 'deleteTenantBranding', summary: 'Remove a tenant\'s own brand (it keeps its partner\'s)', tag,
    params: pathParams('tenant'), status: 204, response: null,
    async handle(call) {
      const { ctx, principal, params } = call;
      const tenant = await tenantInPath(ctx, principal, params.tenant);
      await removeTenantBrand(ctx, actorOf(call), tenant);
    },
  }),
  adminRoute<PartnerParams>({
    method: 'GET', path: '/partners/:partnerId/branding', operationId: 'getPartnerBranding', summary: 'Read a partner\'s default brand (super_admin)', tag,
    params: pathParams('partnerId'), status: 200, response: PartnerBrandingSchema,
    async handle({ ctx, principal, params }) {
      requireSuperAdmin(principal);
      const partner = await requirePartner(ctx.db, params.partnerId);
      return { brand: await loadBrand(ctx, { kind: 'partner', id: partner.id }) };
    },
  }),
  adminRoute<PartnerParams, Record<string, never>, Record<string, unknown>>({
    method: 'PUT', path: '/partners/:partnerId/branding', operationId: 'putPartnerBranding', summary: 'Replace a partner\'s default brand, inherited by its tenants (super_admin)', tag,
    params: pathParams('partnerId'), body: BrandSchema, status: 200, response: PartnerBrandingSchema,
    async handle(call) {
      const { ctx, principal, params, body } = call;
      requireSuperAdmin(principal);
      const partner = await requirePartner(ctx.db, params.partnerId);
      return { brand: await replacePartnerBrand(ctx, actorOf(call), partner, body) };
    },
  }),
  adminRoute<PartnerParams>({
    method: 'DELETE', path: '/partners/:partnerId/branding', operationId: 'deletePartnerBranding', summary: 'Remove a partner\'s default brand (super_admin)', tag,
    params: pathParams('partnerId'), status: 204, response: null,
    async handle(call) {
      const { ctx, principal, params } = call;
      requireSuperAdmin(principal);
      const partner = await requirePartner(ctx.db, params.partnerId);
      await removePartnerBrand(ctx, actorOf(call), partner);
    },
  }),
];
