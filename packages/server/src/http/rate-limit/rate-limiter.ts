/**
 * Fixed-window counters behind one interface: in memory per instance by default, in Redis (shared by every
 * instance) when LATCHKEY_REDIS_URL is set. Used for the token endpoint's per-client and per-IP limits and for
 * brute-force protection of sign-in.
 */
export interface WindowCount {
  /** Hits in the current window, this one included. */
  readonly count: number;
  /** Milliseconds until the window resets. */
  readonly resetInMs: number;
}

export interface RateLimitStore {
  hit(key: string, windowMs: number): Promise<WindowCount>;
  peek(key: string): Promise<WindowCount | undefined>;
  reset(key: string): Promise<void>;
  close(): Promise<void>;
}

export interface LimitDecision {
  readonly allowed: boolean;
  readonly remaining: number;
  /** Whole seconds to wait (for Retry-After); 0 when allowed. */
  readonly retryAfterSeconds: number;
}

export class RateLimiter {
  readonly #store: RateLimitStore;
  readonly #onStoreError: (error: unknown) => void;

  constructor(store: RateLimitStore, onStoreError: (error: unknown) => void = () => {}) {
    this.#store = store;
    this.#onStoreError = onStoreError;
  }

  /** Counts one hit against `key`; `limit` 0 means unlimited. A failing shared store fails open (and is logged). */
  async consume(key: string, limit: number, windowMs: number): Promise<LimitDecision> {
    if (limit <= 0) return { allowed: true, remaining: Number.POSITIVE_INFINITY, retryAfterSeconds: 0 };
    let count: WindowCount;
    try {
      count = await this.#store.hit(key, windowMs);
    } catch (error) {
      this.#onStoreError(error);
      return { allowed: true, remaining: limit, retryAfterSeconds: 0 };
    }
    const allowed = count.count <= limit;
    return {
      allowed,
      remaining: Math.max(0, limit - count.count),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(count.resetInMs / 1000)),
    };
  }

  /** Whether `key` is already over `limit`, without counting a hit (for lockouts checked before work). */
  async isBlocked(key: string, limit: number): Promise<LimitDecision> {
    if (limit <= 0) return { allowed: true, remaining: Number.POSITIVE_INFINITY, retryAfterSeconds: 0 };
    let count: WindowCount | undefined;
    try {
      count = await this.#store.peek(key);
    } catch (error) {
      this.#onStoreError(error);
      return { allowed: true, remaining: limit, retryAfterSeconds: 0 };
    }
    if (count === undefined || count.count < limit) return { allowed: true, remaining: limit - (count?.count ?? 0), retryAfterSeconds: 0 };
    return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil(count.resetInMs / 1000)) };
  }

  async reset(key: string): Promise<void> {
    try {
      await this.#store.reset(key);
    } catch (error) {
      this.#onStoreError(error);
    }
  }

  close(): Promise<void> {
    return this.#store.close();
  }
}
