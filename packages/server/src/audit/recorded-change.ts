/**
 * An admin change and its audit event in one transaction: the change happens with its record or not at all.
 * Used by the admin API (actor: the calling user or client) and the CLI (actor: `cli`).
 */
import type { Latchkey } from '../context.ts';
import type { Database } from '../db/database.ts';
import { insertAuditEvent } from './audit-log.ts';

export interface ChangeRecord {
  readonly action: string;
  readonly tenantId: string | null;
  readonly target: { readonly type: string; readonly id: string | null };
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface ChangeActor {
  readonly type: string;
  readonly id: string | null;
  readonly ip: string | null;
}

export async function recordedChange<T>(ctx: Latchkey, actor: ChangeActor, work: (db: Database) => Promise<T>, record: (result: T) => ChangeRecord): Promise<T> {
  return ctx.db.transaction().execute(async (trx) => {
    const result = await work(trx);
    const change = record(result);
    await insertAuditEvent(
      trx,
      { action: change.action, tenantId: change.tenantId, actor: { type: actor.type, id: actor.id }, target: change.target, ip: actor.ip, details: change.details ?? {} },
      ctx.now(),
    );
    return result;
  });
}

/** The actor of changes made with the `latchkey` command (whoever can run it owns the database). */
export const CLI_ACTOR: ChangeActor = { type: 'cli', id: null, ip: null };
