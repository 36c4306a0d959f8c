/** GET /admin/v1/audit-events: admin changes and security events, oldest first; a tenant_admin sees its tenant's. */
import { auditEventQueries } from '../db/queries/audit-events.ts';
import type { AuditEventsTable } from '../db/schema.ts';
import { InvalidRequest } from '../errors/oauth-error.ts';
import { parseJsonObject } from '../util/json.ts';
import { canAccessTenant } from './admin-auth.ts';
import { adminRoute, pageRequest, pageResponse } from './admin-route.ts';
import type { ListQuery } from './admin-route.ts';
import { dateTime, listQuery, named, nullableString, object, pageOf, string } from './json-schema.ts';

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

type AuditQuery = ListQuery & { tenant_id?: string; action?: string; actor_id?: string; target_id?: string; outcome?: 'success' | 'failure'; since?: string; until?: string };

export const auditEventRoutes = [
  adminRoute<Record<string, never>, AuditQuery>({
    method: 'GET', path: '/audit-events', operationId: 'listAuditEvents', summary: 'Audit events, oldest first; follow new ones with the last next_cursor', tag: 'Audit',
    query: listQuery({
      tenant_id: string(), action: string({ description: 'e.g. group.member.add, api_key.use_denied' }), actor_id: string(), target_id: string(),
      outcome: { type: 'string', enum: ['success', 'failure'] }, since: string({ format: 'date-time' }), until: string({ format: 'date-time' }),
    }),
    status: 200, response: pageOf('AuditEventPage', AuditEventSchema),
    async handle({ ctx, principal, query }) {
      // A tenant_admin's view is its own tenant, whatever tenant_id it asks for; a partner_admin may name one of its partner's.
      const asked = principal.role === 'partner_admin' && query.tenant_id !== undefined ? await ctx.tenants.byId(query.tenant_id) : undefined;
      const tenantId = principal.role === 'super_admin' ? query.tenant_id : asked && canAccessTenant(principal, asked) ? asked.id : principal.tenantId;
      const filter = { tenantId, action: query.action, actorId: query.actor_id, targetId: query.target_id, outcome: query.outcome, since: time(query.since, 'since'), until: time(query.until, 'until') };
      return pageResponse(await auditEventQueries(ctx.db).list(filter, pageRequest(query)), describeAuditEvent);
    },
  }),
];
