/** Admin API changes commit with their audit event; the actor and IP come from the call. */
import type { Database } from '../db/database.ts';
import { recordedChange } from '../audit/recorded-change.ts';
import type { ChangeRecord } from '../audit/recorded-change.ts';
import type { AdminCall } from './admin-route.ts';

export async function auditedChange<T>(call: AdminCall<unknown, unknown, unknown>, work: (db: Database) => Promise<T>, record: (result: T) => ChangeRecord): Promise<T> {
  return recordedChange(call.ctx, { type: call.principal.type, id: call.principal.id, ip: call.request.ip }, work, record);
}
