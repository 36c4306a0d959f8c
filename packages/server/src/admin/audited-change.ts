/**
 * Every admin change and its audit event commit in one transaction: the change happens with its record or not
 * at all. The actor, IP and tenant come from the call; the handler names the action and the target.
 */
import type { Database } from '../db/database.ts';
import { insertAuditEvent } from '../audit/audit-log.ts';
import type { AdminCall } from './admin-route.ts';

export interface ChangeRecord {
  readonly action: string;
  readonly tenantId: string | null;
  readonly target: { readonly type: string; readonly id: string | null };
  readonly details?: Readonly<Record<string, unknown>>;
}

export async function auditedChange<T>(call: AdminCall<unknown, unknown, unknown>, work: (db: Database) => Promise<T>, record: (result: T) => ChangeRecord): Promise<T> {
  const { ctx, principal, request } = call;
  return ctx.db.transaction().execute(async (trx) => {
    const result = await work(trx);
    const now = ctx.now();
    const change = record(result);
    await insertAuditEvent(
      trx,
      { action: change.action, tenantId: change.tenantId, actor: { type: principal.type, id: principal.id }, target: change.target, ip: request.ip, details: change.details ?? {} },
      now,
    );
    return result;
  });
}
