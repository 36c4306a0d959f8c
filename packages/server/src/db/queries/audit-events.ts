import type { Database } from '../database.ts';
import type { AuditEventsTable } from '../schema.ts';
import { toPage } from './page.ts';
import type { Page, PageRequest } from './page.ts';

export interface AuditFilter {
  readonly tenantId?: string | undefined;
  readonly action?: string | undefined;
  readonly actorId?: string | undefined;
  readonly targetId?: string | undefined;
  readonly outcome?: 'success' | 'failure' | undefined;
  readonly since?: number | undefined;
  readonly until?: number | undefined;
}

export function auditEventQueries(db: Database) {
  const filtered = (filter: AuditFilter) => {
    let query = db.selectFrom('audit_events').selectAll();
    if (filter.tenantId) query = query.where('tenant_id', '=', filter.tenantId);
    if (filter.action) query = query.where('action', '=', filter.action);
    if (filter.actorId) query = query.where('actor_id', '=', filter.actorId);
    if (filter.targetId) query = query.where('target_id', '=', filter.targetId);
    if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
    if (filter.since !== undefined) query = query.where('occurred_at', '>=', filter.since);
    if (filter.until !== undefined) query = query.where('occurred_at', '<', filter.until);
    return query;
  };
  return {
    /** The newest `count` events, returned oldest first (`audit tail`). */
    async latest(filter: AuditFilter, count: number): Promise<AuditEventsTable[]> {
      return (await filtered(filter).orderBy('id', 'desc').limit(count).execute()).reverse();
    },
    /**
     * Oldest first, after the cursor (so `audit tail` can follow new events with the last id it saw); or newest
     * first, before the cursor (the console's first page is the latest events).
     */
    async list(filter: AuditFilter, page: PageRequest, order: 'asc' | 'desc' = 'asc'): Promise<Page<AuditEventsTable>> {
      let query = filtered(filter).orderBy('id', order).limit(page.limit + 1);
      if (page.cursor) query = query.where('id', order === 'asc' ? '>' : '<', page.cursor);
      return toPage(await query.execute(), page, (row) => row.id);
    },
  };
}
