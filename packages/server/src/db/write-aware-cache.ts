/**
 * A cache of directory rows that is both bounded in time (the configured TTL, for changes made by other
 * instances or the CLI) and dropped at once by any write this instance makes that may change them
 * (`write-tracking.ts`). A value loaded while such a write ran is returned but not kept.
 */
import type { Database } from './database.ts';
import { writeTrackerOf } from './write-tracking.ts';
import { TtlCache } from '../util/ttl-cache.ts';

export class WriteAwareCache<K, V> {
  readonly #entries: TtlCache<K, { readonly value: V; readonly generation: number }>;
  readonly #tracker: ReturnType<typeof writeTrackerOf>;

  constructor(db: Database, ttlMs: number, maxEntries = 10_000) {
    this.#entries = new TtlCache(ttlMs, maxEntries);
    this.#tracker = writeTrackerOf(db);
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
