/** /admin/v1/partners: service providers owning tenants. super_admin only. */
import { partnerQueries } from '../db/queries/partners.ts';
import { createPartner, deletePartner, describePartner, requirePartner, updatePartner } from '../directory/partners.ts';
import { requireSuperAdmin } from './admin-auth.ts';
import { adminRoute, pageRequest, pageResponse } from './admin-route.ts';
import type { ListQuery } from './admin-route.ts';
import { auditedChange } from './audited-change.ts';
import { dateTime, listQuery, named, object, pageOf, patchBody, pathParams, string } from './json-schema.ts';

export const PartnerSchema = named('Partner', object({ id: string(), slug: string(), name: string(), created_at: dateTime, updated_at: dateTime }));
const PartnerInput = object({ slug: string({ pattern: '^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$' }), name: string({ minLength: 1, maxLength: 200 }) }, ['name']);
const PartnerPatch = patchBody({ slug: string({ pattern: '^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$' }), name: string({ minLength: 1, maxLength: 200 }) });
type PartnerBody = { slug?: string; name?: string };
type PartnerParams = { partnerId: string };
const tag = 'Partners';

export const partnerRoutes = [
  adminRoute<Record<string, never>, ListQuery>({
    method: 'GET', path: '/partners', operationId: 'listPartners', summary: 'List partners', tag,
    query: listQuery(), status: 200, response: pageOf('PartnerPage', PartnerSchema),
    async handle({ ctx, principal, query }) {
      requireSuperAdmin(principal);
      return pageResponse(await partnerQueries(ctx.db).list(pageRequest(query)), describePartner);
    },
  }),
  adminRoute<Record<string, never>, Record<string, never>, PartnerBody>({
    method: 'POST', path: '/partners', operationId: 'createPartner', summary: 'Create a partner', tag,
    body: PartnerInput, status: 201, response: PartnerSchema,
    async handle(call) {
      requireSuperAdmin(call.principal);
      const partner = await auditedChange(call, (db) => createPartner(db, call.body, call.ctx.now()), (p) => ({ action: 'partner.create', tenantId: null, target: { type: 'partner', id: p.id } }));
      return describePartner(partner);
    },
  }),
  adminRoute<PartnerParams>({
    method: 'GET', path: '/partners/:partnerId', operationId: 'getPartner', summary: 'Read a partner', tag,
    params: pathParams('partnerId'), status: 200, response: PartnerSchema,
    async handle({ ctx, principal, params }) {
      requireSuperAdmin(principal);
      return describePartner(await requirePartner(ctx.db, params.partnerId));
    },
  }),
  adminRoute<PartnerParams, Record<string, never>, PartnerBody>({
    method: 'PATCH', path: '/partners/:partnerId', operationId: 'updatePartner', summary: 'Rename a partner or change its slug', tag,
    params: pathParams('partnerId'), body: PartnerPatch, status: 200, response: PartnerSchema,
    async handle(call) {
      requireSuperAdmin(call.principal);
      const partner = await auditedChange(call, (db) => updatePartner(db, call.params.partnerId, call.body, call.ctx.now()), (p) => ({ action: 'partner.update', tenantId: null, target: { type: 'partner', id: p.id }, details: { fields: Object.keys(call.body) } }));
      return describePartner(partner);
    },
  }),
  adminRoute<PartnerParams>({
    method: 'DELETE', path: '/partners/:partnerId', operationId: 'deletePartner', summary: 'Delete a partner that owns no tenants (409 otherwise)', tag,
    params: pathParams('partnerId'), status: 204, response: null,
    async handle(call) {
      requireSuperAdmin(call.principal);
      await auditedChange(call, (db) => deletePartner(db, call.params.partnerId), (p) => ({ action: 'partner.delete', tenantId: null, target: { type: 'partner', id: p.id } }));
    },
  }),
];
