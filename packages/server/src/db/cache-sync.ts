/**
 * Lets caches keep directory rows for minutes yet drop them about a second after another instance, worker
 * process or the CLI changed them (issue 21: at 100,000 tenants most tenants are asked for less often than a
 * 5 s TTL, so a TTL alone made most lookups misses). Every LATCHKEY_CACHE_SYNC_MS one indexed single-row read
 * of `directory_changes.version` (which writers bump: `change-announcing-driver.ts`); when it moved, the write
 * tracker's generation is bumped (every `WriteAwareCache` drops its entries) and `onChange` drops the caches
 * that keep their own (tenants, signing keys).
 *
 * An entry may live LATCHKEY_CACHE_LIFETIME_SECONDS only while the signal is current: a read that started
 * within the last LATCHKEY_CACHE_TTL_SECONDS succeeded, so every change committed before it has been seen.
 * While polls fail (database down) or lag, caches fall back to the TTL, the bound they had before the signal.
 */
import type { Logger } from 'pino';
import type { Database } from './database.ts';
import { writeTrackerOf } from './write-tracking.ts';
import type { ChangeAnnouncer } from './change-announcing-driver.ts';

export interface CacheSyncOptions {
  /** How often to read the counter; 0 turns the signal off (caches keep the TTL). */
  readonly intervalMs: number;
  /** How long an entry may live while the signal is current. */
  readonly lifetimeMs: number;
  /** Called after the counter moved, to drop caches that do not follow the write tracker. */
  readonly onChange?: () => void;
  /**
   * Enabled at the first successful read: only once the counter is known to exist do this handle's writes
   * bump it (a worker opening the database with migrate: false before it was migrated keeps the TTL alone).
   */
  readonly announcer?: Pick<ChangeAnnouncer, 'enable'>;
  readonly logger?: Pick<Logger, 'warn' | 'info'>;
  readonly now?: () => number;
}

const syncs = new WeakMap<object, CacheSync>();

export class CacheSync {
  readonly #db: Database;
  readonly #options: CacheSyncOptions;
  readonly #now: () => number;
  #version: number | undefined;
  /** When the last successful read started: every change committed before then has been seen. */
  #syncedAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<boolean> | undefined;
  #failing = false;

  constructor(db: Database, options: CacheSyncOptions) {
    this.#db = db;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    syncs.set(db, this);
  }

  /**
   * Reads the counter once; true when it could. The first read only learns the version; a later one that
   * finds it moved drops the caches. Concurrent calls share one read.
   */
  sync(): Promise<boolean> {
    this.#running ??= this.#read().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Starts polling (the server does; the CLI does not). The timer never keeps the process alive. */
  start(): void {
    if (this.#options.intervalMs <= 0 || this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.sync(), this.#options.intervalMs);
    this.#timer.unref();
  }

  /** Stops polling and waits for a read in flight (before the database closes). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /**
   * How long a cache entry may be served: `fallbackMs` (the TTL; 0 keeps caches off) unless the signal is
   * current, then the longer lifetime.
   */
  lifetimeMs(fallbackMs: number): number {
    if (fallbackMs <= 0 || this.#timer === undefined) return fallbackMs;
    return this.#now() - this.#syncedAt < fallbackMs ? Math.max(fallbackMs, this.#options.lifetimeMs) : fallbackMs;
  }

  async #read(): Promise<boolean> {
    const startedAt = this.#now();
    let version: number;
    try {
      const row = await this.#db.selectFrom('directory_changes').select('version').where('id', '=', 1).executeTakeFirst();
      version = Number(row?.version ?? 0);
    } catch (error) {
      if (!this.#failing) this.#options.logger?.warn({ err: error }, 'cannot read the shared change counter: caches keep LATCHKEY_CACHE_TTL_SECONDS until it answers again');
      this.#failing = true;
      return false;
    }
    if (this.#failing) this.#options.logger?.info('the shared change counter answers again');
    this.#failing = false;
    this.#options.announcer?.enable();
    if (this.#version !== undefined && version !== this.#version) {
      writeTrackerOf(this.#db)?.invalidate();
      this.#options.onChange?.();
    }
    this.#version = version;
    this.#syncedAt = startedAt;
    return true;
  }
}

/** The lifetime of a cache over `db`: follows its `CacheSync` when there is one, else the TTL alone. */
export function cacheLifetime(db: Database, fallbackMs: number): () => number {
  return () => syncs.get(db)?.lifetimeMs(fallbackMs) ?? fallbackMs;
}
