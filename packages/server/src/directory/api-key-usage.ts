/**
 * `last_used_at` of API keys, written in batches: each use is noted in memory and a timer flushes the newest
 * time per key every `FLUSH_INTERVAL_MS`, so a busy key costs one write per interval, not one per request.
 * Writes only move the time forward, so several instances flushing in any order agree. At most one interval of
 * usage times is lost if the process dies (the time is informational, never a security decision).
 */
import type { Database } from '../db/database.ts';
import { apiKeyQueries } from '../db/queries/api-keys.ts';
import { PeriodicFlush } from '../util/periodic-flush.ts';

export const FLUSH_INTERVAL_MS = 10_000;

export class ApiKeyUsage {
  readonly #db: Database;
  readonly #pending = new Map<string, number>();
  readonly #onError: (error: unknown) => void;
  readonly #flusher = new PeriodicFlush(FLUSH_INTERVAL_MS, () => this.#write());

  constructor(db: Database, onError: (error: unknown) => void) {
    this.#db = db;
    this.#onError = onError;
  }

  record(keyId: string, usedAt: number): void {
    const previous = this.#pending.get(keyId);
    if (previous === undefined || previous < usedAt) this.#pending.set(keyId, usedAt);
    this.#flusher.schedule();
  }

  /** How many keys wait to be written. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Writes every pending time now (also called on shutdown). */
  flush(): Promise<void> {
    return this.#flusher.flush();
  }

  stop(): Promise<void> {
    return this.#flusher.stop();
  }

  async #write(): Promise<void> {
    const batch = [...this.#pending];
    this.#pending.clear();
    const queries = apiKeyQueries(this.#db);
    for (const [keyId, usedAt] of batch) {
      try {
        await queries.touch(keyId, usedAt);
      } catch (error) {
        this.#onError(error);
      }
    }
  }
}

const buffers = new WeakMap<object, ApiKeyUsage>();

/** The buffer of one Latchkey process (keyed by its context, so tests running several servers stay apart). */
export function apiKeyUsageFor(ctx: { readonly db: Database; readonly logger: { error(obj: object, msg: string): void } }): ApiKeyUsage {
  let usage = buffers.get(ctx);
  if (!usage) {
    usage = new ApiKeyUsage(ctx.db, (error) => ctx.logger.error({ err: error }, 'could not record API key usage'));
    buffers.set(ctx, usage);
  }
  return usage;
}
