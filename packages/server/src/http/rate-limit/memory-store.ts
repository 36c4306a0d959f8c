import type { RateLimitStore, WindowCount } from './rate-limiter.ts';

const MAX_KEYS = 100_000;

export interface MemoryStoreOptions {
  /** Windows kept at most; a full store evicts (see `#evict`). */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

/**
 * Per-instance fixed windows, bounded in memory. When full, expired windows go first, then the windows with the
 * fewest hits (oldest first among equals): a flood of fresh keys has one hit each, so it can never evict a
 * counter that holds more evidence, such as a brute-force lockout (issue 13, item 3: evicting the oldest let
 * random client ids clear `signin:fail:*`). A tenth of the capacity is freed at a time, so a flood costs one
 * pass over the map per 10,000 new keys rather than one per key.
 */
export class MemoryStore implements RateLimitStore {
  readonly #windows = new Map<string, { count: number; resetAt: number }>();
  readonly #now: () => number;
  readonly #maxKeys: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxKeys = options.maxKeys ?? MAX_KEYS;
  }

  get size(): number {
    return this.#windows.size;
  }

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    const now = this.#now();
    let window = this.#windows.get(key);
    if (window === undefined || window.resetAt <= now) {
      if (window === undefined && this.#windows.size >= this.#maxKeys) this.#evict(now);
      window = { count: 0, resetAt: now + windowMs };
      this.#windows.set(key, window);
    }
    window.count += 1;
    return { count: window.count, resetInMs: window.resetAt - now };
  }

  async peek(key: string): Promise<WindowCount | undefined> {
    const now = this.#now();
    const window = this.#windows.get(key);
    if (window === undefined || window.resetAt <= now) return undefined;
    return { count: window.count, resetInMs: window.resetAt - now };
  }

  async reset(key: string): Promise<void> {
    this.#windows.delete(key);
  }

  async close(): Promise<void> {
    this.#windows.clear();
  }

  #evict(now: number): void {
    for (const [key, window] of this.#windows) if (window.resetAt <= now) this.#windows.delete(key);
    const target = Math.floor(this.#maxKeys * 0.9);
    for (let fewestHits = 1; this.#windows.size > target; fewestHits *= 2) {
      for (const [key, window] of this.#windows) {
        if (window.count > fewestHits) continue;
        this.#windows.delete(key);
        if (this.#windows.size <= target) return;
      }
    }
  }
}

/** Brute-force counters are named `<area>:fail:…` (`signin:fail:account:…`); everything else counts requests. */
export function isLockoutKey(key: string): boolean {
  return /^[^:]+:fail:/.test(key);
}

/**
 * The in-memory store a limiter uses: lockout counters and request counts in two separate bounded maps, so
 * that however many request windows a flood opens, it only ever evicts other request windows.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): RateLimitStore {
  const lockouts = new MemoryStore(options);
  const requests = new MemoryStore(options);
  const storeFor = (key: string) => (isLockoutKey(key) ? lockouts : requests);
  return {
    hit: (key, windowMs) => storeFor(key).hit(key, windowMs),
    peek: (key) => storeFor(key).peek(key),
    reset: (key) => storeFor(key).reset(key),
    close: async () => {
      await Promise.all([lockouts.close(), requests.close()]);
    },
  };
}
