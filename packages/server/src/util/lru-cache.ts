/**
 * A least-recently-used cache bounded by an estimate of the bytes it holds, not by a count of entries: with
 * 100,000 tenants a count says nothing about memory (an RS256 tenant's keys weigh four times an ES256 one's),
 * and a count high enough for the long tail of tenants would let a few large rows take the heap (issue 21).
 * Entries also expire after `ttlMs`, the stated bound on how long a change made by another instance takes to
 * show; it may be a function, asked at each read, so the bound can follow whether the shared change signal is
 * current (`db/cache-sync.ts`). Hits, misses and evictions are counted for the Prometheus metrics (`http/metrics.ts`).
 */
export interface LruCacheOptions<K, V> {
  /** The most bytes (as `sizeOf` estimates them) kept at once; 0 keeps nothing. */
  readonly maxBytes: number;
  /** How long an entry is served, counted from when it was loaded; 0 keeps nothing. */
  readonly ttlMs: number | (() => number);
  /** The estimated bytes of one entry (key, value and the bookkeeping around them). */
  readonly sizeOf: (key: K, value: V) => number;
  readonly now?: () => number;
}

export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
  readonly entries: number;
  readonly bytes: number;
  readonly maxBytes: number;
}

interface Entry<V> {
  readonly value: V;
  readonly bytes: number;
  readonly loadedAt: number;
}

/** What an entry costs beyond its key and value: the Map slot and the entry object. */
export const ENTRY_OVERHEAD_BYTES = 120;

/** A rough size for strings and JSON-like values: V8 keeps ASCII strings at one byte per character. */
export function estimateBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return 16 + value.length;
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return 8;
    case 'object': {
      if (value === null) return 8;
      if (ArrayBuffer.isView(value)) return 64 + value.byteLength;
      let total = 32;
      if (Array.isArray(value)) for (const item of value) total += 8 + estimateBytes(item);
      else for (const [key, item] of Object.entries(value)) total += 8 + key.length + estimateBytes(item);
      return total;
    }
    default:
      return 32;
  }
}

export class LruCache<K, V> {
  /** Map iteration order is insertion order: the first entry is the least recently used. */
  readonly #entries = new Map<K, Entry<V>>();
  readonly #options: LruCacheOptions<K, V>;
  readonly #now: () => number;
  readonly #ttlMs: () => number;
  #bytes = 0;
  #hits = 0;
  #misses = 0;
  #evictions = 0;

  constructor(options: LruCacheOptions<K, V>) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    const { ttlMs } = options;
    this.#ttlMs = typeof ttlMs === 'number' ? () => ttlMs : ttlMs;
  }

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      this.#misses += 1;
      return undefined;
    }
    if (entry.loadedAt + this.#ttlMs() <= this.#now()) {
      this.#remove(key, entry);
      this.#misses += 1;
      return undefined;
    }
    // Move to the most recently used end.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.#hits += 1;
    return entry.value;
  }

  /** The live entry's value without counting a hit or a miss or making it recent. */
  peek(key: K): V | undefined {
    const entry = this.#entries.get(key);
    return entry === undefined || entry.loadedAt + this.#ttlMs() <= this.#now() ? undefined : entry.value;
  }

  /** `loadedAt`: when the value was read, if earlier than now (the TTL counts from the read, not the store). */
  set(key: K, value: V, loadedAt?: number): void {
    const { maxBytes } = this.#options;
    const old = this.#entries.get(key);
    if (old !== undefined) this.#remove(key, old);
    if (this.#ttlMs() <= 0) return;
    const bytes = this.#options.sizeOf(key, value);
    // An entry larger than the whole budget would only flush everything else out.
    if (bytes > maxBytes) return;
    while (this.#bytes + bytes > maxBytes) {
      const oldest = this.#entries.entries().next().value;
      if (oldest === undefined) break;
      this.#remove(oldest[0], oldest[1]);
      this.#evictions += 1;
    }
    this.#entries.set(key, { value, bytes, loadedAt: loadedAt ?? this.#now() });
    this.#bytes += bytes;
  }

  delete(key: K): void {
    const entry = this.#entries.get(key);
    if (entry !== undefined) this.#remove(key, entry);
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  get size(): number {
    return this.#entries.size;
  }

  stats(): CacheStats {
    return { hits: this.#hits, misses: this.#misses, evictions: this.#evictions, entries: this.#entries.size, bytes: this.#bytes, maxBytes: this.#options.maxBytes };
  }

  #remove(key: K, entry: Entry<V>): void {
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}
