/**
 * GET /admin/v1/audit-events: admin changes and security events, oldest first (or newest first with
 * `order=desc`); a tenant_admin or auditor sees its tenant's. GET /admin/v1/audit-events/export: the same
 * filters as CSV (RFC 4180), for spreadsheets and archives.
 */
import type { Latchkey } from '../context.ts';
import { auditEventQueries } from '../db/queries/audit-events.ts';
import type { AuditFilter } from '../db/queries/audit-events.ts';
import type { AuditEventsTable } from '../db/schema.ts';
import { InvalidRequest } from '../errors/oauth-error.ts';
import { parseJsonObject } from '../util/json.ts';
import { canAccessTenant } from './admin-auth.ts';
import type { AdminPrincipal } from './admin-auth.ts';
import { adminRoute, pageRequest, pageResponse } from './admin-route.ts';
import type { ListQuery } from './admin-route.ts';
import { dateTime, listQuery, named, nullableString, object, pageOf, string } from './json-schema.ts';
import { auditCsv, CSV_EXPORT_LIMIT } from './audit-csv.ts';

export const AuditEventSchema = named(
  'AuditEvent',
  object({
    id: string(), tenant_id: nullableString(), occurred_at: dateTime, action: string(), outcome: { type: 'string', enum: ['success', 'failure'] },
    actor_type: nullableString(), actor_id: nullableString(), target_type: nullableString(), target_id: nullableString(), ip: nullableString(),
    details: { type: 'object', additionalProperties: true },
  }),
);

export function describeAuditEvent(row: AuditEventsTable) {
  return {
    id: row.id, tenant_id: row.tenant_id, occurred_at: new Date(row.occurred_at).toISOString(), action: row.action, outcome: row.outcome,
    actor_type: row.actor_type, actor_id: row.actor_id, target_type: row.target_type, target_id: row.target_id, ip: row.ip, details: parseJsonObject(row.details),
  };
}

function time(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InvalidRequest(`${field} must be an RFC 3339 date-time`);
  return ms;
}

type AuditQuery = ListQuery & { tenant_id?: string; action?: string; actor_id?: string; target_id?: string; outcome?: 'success' | 'failure'; since?: string; until?: string; order?: 'asc' | 'desc' };

const filters = {
  tenant_id: string(), action: string({ description: 'e.g. group.member.add, api_key.use_denied' }), actor_id: string(), target_id: string(),
  outcome: { type: 'string', enum: ['success', 'failure'] }, since: string({ format: 'date-time' }), until: string({ format: 'date-time' }),
  order: { type: 'string', enum: ['asc', 'desc'], default: 'asc', description: 'asc: oldest first, follow new events with next_cursor; desc: newest first' },
};

/** The caller's filter: a tenant_admin's (or auditor's) view is its own tenant whatever it asks; a partner_admin may name one of its partner's. */
async function filterFor(ctx: Latchkey, principal: AdminPrincipal, query: AuditQuery): Promise<AuditFilter> {
  const asked = principal.role === 'partner_admin' && query.tenant_id !== undefined ? await ctx.tenants.byId(query.tenant_id) : undefined;
  const tenantId = principal.role === 'super_admin' ? query.tenant_id : asked && canAccessTenant(principal, asked) ? asked.id : principal.tenantId;
  return { tenantId, action: query.action, actorId: query.actor_id, targetId: query.target_id, outcome: query.outcome, since: time(query.since, 'since'), until: time(query.until, 'until') };
}

export const auditEventRoutes = [
  adminRoute<Record<string, never>, AuditQuery>({
    method: 'GET', path: '/audit-events', operationId: 'listAuditEvents', summary: 'Audit events, oldest first; follow new ones with the last next_cursor', tag: 'Audit',
    query: listQuery(filters),
    status: 200, response: pageOf('AuditEventPage', AuditEventSchema),
    async handle({ ctx, principal, query }) {
      const filter = await filterFor(ctx, principal, query);
      return pageResponse(await auditEventQueries(ctx.db).list(filter, pageRequest(query), query.order ?? 'asc'), describeAuditEvent);
    },
  }),
  adminRoute<Record<string, never>, AuditQuery>({
    method: 'GET', path: '/audit-events/export', operationId: 'exportAuditEvents', tag: 'Audit',
    summary: `Audit events as CSV (same filters; at most ${CSV_EXPORT_LIMIT} rows a call; the X-Next-Cursor header continues)`,
    query: listQuery(filters), status: 200, contentType: 'text/csv', response: string({ description: 'RFC 4180 CSV with a header row' }),
    async handle({ ctx, principal, query, reply }) {
      const filter = await filterFor(ctx, principal, query);
      const page = await auditEventQueries(ctx.db).list(filter, { limit: CSV_EXPORT_LIMIT, ...(query.cursor ? { cursor: query.cursor } : {}) }, query.order ?? 'asc');
      if (page.nextCursor !== null) reply.header('X-Next-Cursor', page.nextCursor);
      reply.type('text/csv; charset=utf-8').header('Content-Disposition', 'attachment; filename="audit-events.csv"');
      return auditCsv(page.data.map(describeAuditEvent));
    },
  }),
];
