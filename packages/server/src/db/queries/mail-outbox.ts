import type { Database } from '../database.ts';
import type { MailOutboxTable } from '../schema-accounts.ts';

export type OutboxRow = MailOutboxTable;

/**
 * The mail outbox. `claimDue` hands each due row to exactly one sender: one UPDATE … RETURNING over the due
 * rows, which on PostgreSQL picks them with FOR UPDATE SKIP LOCKED (concurrent senders take different rows
 * and never wait on each other); SQLite serializes writers, so the same statement is atomic there as it is.
 * A claim is a lease: a sender that dies mid-send leaves the row to be claimed again once the lease lapses.
 */
export function mailOutboxQueries(db: Database) {
  return {
    async insert(row: OutboxRow): Promise<void> {
      await db.insertInto('mail_outbox').values(row).execute();
    },
    async claimDue(claimant: string, now: number, leaseMs: number, limit: number, skipLocked: boolean): Promise<OutboxRow[]> {
      let due = db
        .selectFrom('mail_outbox')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
        .orderBy('next_attempt_at')
        .limit(limit);
      if (skipLocked) due = due.forUpdate().skipLocked();
      return db
        .updateTable('mail_outbox')
        .set((eb) => ({ claimed_by: claimant, claimed_until: now + leaseMs, attempts: eb('attempts', '+', 1) }))
        .where('id', 'in', due)
        .where('status', '=', 'pending')
        .returningAll()
        .execute();
    },
    /** Only the claimant whose lease still holds may settle a row (false: the claim was lost). */
    async markSent(id: string, claimant: string, now: number): Promise<boolean> {
      const result = await db
        .updateTable('mail_outbox')
        .set({ status: 'sent', sent_at: now, claimed_by: null, claimed_until: null, last_error: null, text_body: '', html_body: '' })
        .where('id', '=', id)
        .where('claimed_by', '=', claimant)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async markRetry(id: string, claimant: string, nextAttemptAt: number, error: string): Promise<void> {
      await db
        .updateTable('mail_outbox')
        .set({ next_attempt_at: nextAttemptAt, claimed_by: null, claimed_until: null, last_error: error })
        .where('id', '=', id)
        .where('claimed_by', '=', claimant)
        .execute();
    },
    async markFailed(id: string, claimant: string, error: string): Promise<void> {
      await db
        .updateTable('mail_outbox')
        .set({ status: 'failed', claimed_by: null, claimed_until: null, last_error: error, text_body: '', html_body: '' })
        .where('id', '=', id)
        .where('claimed_by', '=', claimant)
        .execute();
    },
    /** Pending mail: how many, and when the oldest was queued (for the metrics). */
    async pendingStats(): Promise<{ count: number; oldestCreatedAt: number | null }> {
      const row = await db
        .selectFrom('mail_outbox')
        .select((eb) => [eb.fn.countAll<string | number>().as('count'), eb.fn.min('created_at').as('oldest')])
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return { count: Number(row?.count ?? 0), oldestCreatedAt: row?.oldest === null || row?.oldest === undefined ? null : Number(row.oldest) };
    },
    /** Drops mail sent or given up on before `before` (their bodies are already empty; the rows only count). */
    async pruneSettled(before: number): Promise<number> {
      const sent = await db.deleteFrom('mail_outbox').where('status', '=', 'sent').where('sent_at', '<', before).executeTakeFirst();
      const failed = await db.deleteFrom('mail_outbox').where('status', '=', 'failed').where('created_at', '<', before).executeTakeFirst();
      return Number(sent.numDeletedRows) + Number(failed.numDeletedRows);
    },
    async findById(id: string): Promise<OutboxRow | undefined> {
      return db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirst();
    },
  };
}
