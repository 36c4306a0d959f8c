/**
 * Shared counters in Redis, and this process's own counters while Redis is away. Failing open let a Redis
 * outage switch brute-force protection off (issue 14, item 6); counting per process keeps every limit, only no
 * longer shared across instances (each instance allows the limit on its own) until Redis answers again.
 *
 * While Redis is down, one request a second tries it again; the first command that succeeds brings every
 * request back to Redis. Counts made during the outage stay in memory until their windows end and are read
 * alongside Redis's, so an account locked during the outage stays locked after Redis returns.
 */
import type { RateLimitStore, WindowCount } from './rate-limiter.ts';

const RETRY_INTERVAL_MS = 1000;

export interface FailoverEvents {
  /** Redis stopped answering: limits are now counted in this process. */
  readonly down: (error: unknown) => void;
  /** Redis answers again: limits are shared again. */
  readonly up: () => void;
}

function larger(a: WindowCount | undefined, b: WindowCount | undefined): WindowCount | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.count > a.count ? b : a;
}

export class FailoverStore implements RateLimitStore {
  readonly #shared: RateLimitStore;
  readonly #local: RateLimitStore;
  readonly #events: FailoverEvents;
  readonly #now: () => number;
  #down = false;
  #nextTry = 0;

  constructor(shared: RateLimitStore, local: RateLimitStore, events: FailoverEvents, now: () => number = Date.now) {
    this.#shared = shared;
    this.#local = local;
    this.#events = events;
    this.#now = now;
  }

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    const shared = await this.#tryShared((store) => store.hit(key, windowMs));
    if (shared === null) return this.#local.hit(key, windowMs);
    return larger(shared, await this.#local.peek(key))!;
  }

  async peek(key: string): Promise<WindowCount | undefined> {
    const shared = await this.#tryShared((store) => store.peek(key));
    return larger(shared ?? undefined, await this.#local.peek(key));
  }

  async reset(key: string): Promise<void> {
    await Promise.all([this.#tryShared((store) => store.reset(key)), this.#local.reset(key)]);
  }

  async close(): Promise<void> {
    await Promise.all([this.#shared.close(), this.#local.close()]);
  }

  /** The shared store's answer, or `null` when it is down (and not due for another try). */
  async #tryShared<T>(operation: (store: RateLimitStore) => Promise<T>): Promise<T | null> {
    if (this.#down) {
      if (this.#now() < this.#nextTry) return null;
      // Only this request tries Redis again; the others keep counting locally meanwhile.
      this.#nextTry = this.#now() + RETRY_INTERVAL_MS;
    }
    try {
      const result = await operation(this.#shared);
      if (this.#down) {
        this.#down = false;
        this.#events.up();
      }
      return result;
    } catch (error) {
      if (!this.#down) {
        this.#down = true;
        this.#nextTry = this.#now() + RETRY_INTERVAL_MS;
        this.#events.down(error);
      }
      return null;
    }
  }
}
