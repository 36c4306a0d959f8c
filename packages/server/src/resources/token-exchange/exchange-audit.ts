/**
 * The audit events of token exchanges, written in batches: an exchange is a token request, and one audit write
 * (one commit, an fsync on SQLite) per token cost more than the rest of the exchange (bench/, scenario 8). Events
 * are buffered in memory and written with multi-row statements every `FLUSH_INTERVAL_MS` or every `MAX_PENDING` events,
 * and on shutdown; a process that dies loses at most that interval's events. Refusals are not buffered: a refused
 * known API key is recorded at once by `authenticateApiKey`.
 */
import type { AuditEvent } from '../../audit/audit-log.ts';
import { auditEventRow } from '../../audit/audit-log.ts';
import type { Database } from '../../db/database.ts';
import { PeriodicFlush } from '../../util/periodic-flush.ts';

export const FLUSH_INTERVAL_MS = 1000;
const MAX_PENDING = 500;

export class ExchangeAudit {
  readonly #db: Database;
  readonly #onError: (error: unknown) => void;
  #pending: Array<{ event: AuditEvent; at: number }> = [];
  readonly #flusher = new PeriodicFlush(FLUSH_INTERVAL_MS, () => this.#write());

  constructor(db: Database, onError: (error: unknown) => void) {
    this.#db = db;
    this.#onError = onError;
  }

  record(event: AuditEvent, at: number): void {
    this.#pending.push({ event, at });
    if (this.#pending.length >= MAX_PENDING) void this.flush();
    this.#flusher.schedule();
  }

  /** Writes every pending event now (also called on shutdown). */
  flush(): Promise<void> {
    return this.#flusher.flush();
  }

  stop(): Promise<void> {
    return this.#flusher.stop();
  }

  async #write(): Promise<void> {
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    try {
      // Multi-row statements of at most MAX_PENDING rows each (11 parameters a row: far under SQLite's limit).
      for (let start = 0; start < batch.length; start += MAX_PENDING) {
        await this.#db.insertInto('audit_events').values(batch.slice(start, start + MAX_PENDING).map(({ event, at }) => auditEventRow(event, at))).execute();
      }
    } catch (error) {
      this.#onError(error);
    }
  }
}

const buffers = new WeakMap<object, ExchangeAudit>();

export function exchangeAuditFor(ctx: { readonly db: Database; readonly logger: { error(obj: object, msg: string): void } }): ExchangeAudit {
  let audit = buffers.get(ctx);
  if (!audit) {
    audit = new ExchangeAudit(ctx.db, (error) => ctx.logger.error({ err: error }, 'could not record token exchange audit events'));
    buffers.set(ctx, audit);
  }
  return audit;
}
