/**
 * The audit log: every admin change and every security event (sign-in success and failure, lockout,
 * refresh-token reuse, key rotation, API key use denied), with actor, tenant, time, IP and target.
 * Recording never fails the request that caused it: a write error is logged instead.
 */
import type { Latchkey } from '../context.ts';
import type { Database } from '../db/database.ts';
import { newId } from '../util/ids.ts';
import type { AuditEventsTable } from '../db/schema.ts';

export interface AuditEvent {
  readonly action: string;
  readonly outcome?: 'success' | 'failure';
  readonly tenantId?: string | null;
  readonly actor?: { readonly type: string; readonly id: string | null } | null;
  readonly target?: { readonly type: string; readonly id: string | null } | null;
  readonly ip?: string | null;
  /** Anything else worth keeping. Never a secret, token or password. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The stored row of an event. */
export function auditEventRow(event: AuditEvent, now: number): AuditEventsTable {
  return {
    id: newId('evt', now),
    tenant_id: event.tenantId ?? null,
    occurred_at: now,
    action: event.action,
    outcome: event.outcome ?? 'success',
    actor_type: event.actor?.type ?? null,
    actor_id: event.actor?.id ?? null,
    target_type: event.target?.type ?? null,
    target_id: event.target?.id ?? null,
    ip: event.ip ?? null,
    details: JSON.stringify(event.details ?? {}),
  };
}

/** Writes an event inside the caller's transaction (admin changes: the change and its record commit together). */
export async function insertAuditEvent(db: Database, event: AuditEvent, now: number): Promise<void> {
  await db.insertInto('audit_events').values(auditEventRow(event, now)).execute();
}

/** Records a security event outside any transaction; failures are logged, not thrown. */
export async function recordAuditEvent(ctx: Pick<Latchkey, 'db' | 'logger' | 'now'>, event: AuditEvent): Promise<void> {
  try {
    await insertAuditEvent(ctx.db, event, ctx.now());
  } catch (error) {
    ctx.logger.error({ err: error, action: event.action }, 'could not record audit event');
  }
}
