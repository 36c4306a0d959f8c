/**
 * A cache of directory rows that is bounded in time (for changes made by other instances or the CLI: the
 * configured TTL, or the longer lifetime while the shared change signal is current, `cache-sync.ts`), bounded in memory (a byte budget, least recently used first: `util/lru-cache.ts`), and dropped
 * at once by any write this instance makes that may change them (`write-tracking.ts`). A value loaded while
 * such a write ran is returned but not kept.
 */
import type { Database } from './database.ts';
import { writeTrackerOf } from './write-tracking.ts';
import { cacheLifetime } from './cache-sync.ts';
import { ENTRY_OVERHEAD_BYTES, estimateBytes, LruCache } from '../util/lru-cache.ts';
import type { CacheStats } from '../util/lru-cache.ts';

export interface WriteAwareCacheOptions<K, V> {
  /** LATCHKEY_CACHE_TTL_SECONDS: the bound while the shared change signal is not current. */
  readonly ttlMs: number;
  readonly maxBytes: number;
  /** Defaults to a walk over the value (`estimateBytes`). */
  readonly sizeOf?: (key: K, value: V) => number;
}

export class WriteAwareCache<K, V> {
  readonly #entries: LruCache<K, { readonly value: V; readonly generation: number }>;
  readonly #tracker: ReturnType<typeof writeTrackerOf>;

  constructor(db: Database, options: WriteAwareCacheOptions<K, V>) {
    const sizeOf = options.sizeOf ?? ((key: K, value: V) => estimateBytes(key) + estimateBytes(value));
    this.#entries = new LruCache({ ttlMs: cacheLifetime(db, options.ttlMs), maxBytes: options.maxBytes, sizeOf: (key, entry) => ENTRY_OVERHEAD_BYTES + sizeOf(key, entry.value) });
    this.#tracker = writeTrackerOf(db);
  }

  stats(): CacheStats {
    return this.#entries.stats();
  }

  /** The cached value, or `load()`'s (kept when defined). Without a write tracker nothing is cached. */
  async get(key: K, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const tracker = this.#tracker;
    if (tracker === undefined) return load();
    const hit = this.#entries.get(key);
    if (hit !== undefined && hit.generation === tracker.generation) return hit.value;
    const generation = tracker.generation;
    const value = await load();
    if (value !== undefined && tracker.generation === generation) this.#entries.set(key, { value, generation });
    return value;
  }
}
