/**
 * The caches' common bound (issue 21): a byte budget, least recently used first, a TTL, and counts of hits,
 * misses and evictions for the metrics. Time is a fake clock; nothing here waits.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { estimateBytes, LruCache } from '../../../src/util/lru-cache.ts';

function cache(maxBytes: number, ttlMs = 60_000, clock = { now: 0 }) {
  // Each entry weighs its value's length, so the tests can count bytes by hand.
  return new LruCache<string, string>({ maxBytes, ttlMs, sizeOf: (_key, value) => value.length, now: () => clock.now });
}

describe('LruCache', () => {
  it('keeps entries while they fit the byte budget, and counts their bytes', () => {
    const lru = cache(10);
    lru.set('a', 'xxxx');
    lru.set('b', 'yyyy');
    assert.equal(lru.get('a'), 'xxxx');
    assert.equal(lru.get('b'), 'yyyy');
    assert.deepEqual(lru.stats(), { hits: 2, misses: 0, evictions: 0, entries: 2, bytes: 8, maxBytes: 10 });
  });

  it('peeks at a live entry without counting it or making it recent', () => {
    const clock = { now: 0 };
    const lru = cache(8, 100, clock);
    lru.set('a', 'aaaa');
    lru.set('b', 'bbbb');
    assert.equal(lru.peek('a'), 'aaaa');
    lru.set('c', 'cccc'); // a is still the least recently used: it goes
    assert.equal(lru.peek('a'), undefined);
    assert.deepEqual({ hits: lru.stats().hits, misses: lru.stats().misses }, { hits: 0, misses: 0 });
    clock.now = 100;
    assert.equal(lru.peek('b'), undefined, 'expired');
  });

  it('evicts the least recently used entries until the new one fits', () => {
    const lru = cache(10);
    lru.set('a', 'aaaa');
    lru.set('b', 'bbbb');
    assert.equal(lru.get('a'), 'aaaa'); // a is now more recent than b
    lru.set('c', 'cccccc'); // 4 + 4 + 6 > 10: b goes, not a
    assert.equal(lru.get('b'), undefined);
    assert.equal(lru.get('a'), 'aaaa');
    assert.equal(lru.get('c'), 'cccccc');
    const stats = lru.stats();
    assert.equal(stats.evictions, 1);
    assert.equal(stats.bytes, 10);
    assert.equal(stats.entries, 2);
  });

  it('evicts as many entries as a large one needs', () => {
    const lru = cache(10);
    for (const key of ['a', 'b', 'c', 'd', 'e']) lru.set(key, 'xx');
    lru.set('big', 'yyyyyyyyy');
    assert.equal(lru.size, 1);
    assert.equal(lru.stats().evictions, 5);
    assert.equal(lru.stats().bytes, 9);
  });

  it('never keeps an entry larger than the whole budget, and keeps what it had', () => {
    const lru = cache(10);
    lru.set('a', 'aaaa');
    lru.set('huge', 'x'.repeat(11));
    assert.equal(lru.get('huge'), undefined);
    assert.equal(lru.get('a'), 'aaaa');
    assert.equal(lru.stats().evictions, 0);
  });

  it('replacing a key gives back its old bytes', () => {
    const lru = cache(10);
    lru.set('a', 'aaaaaaaa');
    lru.set('a', 'bb');
    lru.set('c', 'cccccccc');
    assert.equal(lru.get('a'), 'bb');
    assert.equal(lru.stats().bytes, 10);
    assert.equal(lru.stats().evictions, 0);
  });

  it('serves an entry until its TTL, then counts a miss and frees its bytes', () => {
    const clock = { now: 1000 };
    const lru = cache(10, 500, clock);
    lru.set('a', 'aaaa');
    clock.now = 1499;
    assert.equal(lru.get('a'), 'aaaa');
    clock.now = 1500;
    assert.equal(lru.get('a'), undefined);
    assert.deepEqual(lru.stats(), { hits: 1, misses: 1, evictions: 0, entries: 0, bytes: 0, maxBytes: 10 });
  });

  it('counts the TTL from when the value was read, when that is given', () => {
    const clock = { now: 1000 };
    const lru = cache(10, 500, clock);
    lru.set('a', 'aaaa', 800); // read at 800, stored at 1000: served until 1300
    clock.now = 1299;
    assert.equal(lru.get('a'), 'aaaa');
    clock.now = 1300;
    assert.equal(lru.get('a'), undefined);
  });

  it('keeps nothing with a budget of 0 or a TTL of 0', () => {
    const none = cache(0);
    none.set('a', '');
    none.set('b', 'b');
    assert.equal(none.get('b'), undefined);
    const noTtl = cache(10, 0);
    noTtl.set('a', 'a');
    assert.equal(noTtl.get('a'), undefined);
    assert.equal(noTtl.size, 0);
  });

  it('delete and clear give the bytes back', () => {
    const lru = cache(10);
    lru.set('a', 'aaaa');
    lru.set('b', 'bbbb');
    lru.delete('a');
    assert.equal(lru.stats().bytes, 4);
    lru.clear();
    assert.equal(lru.stats().bytes, 0);
    assert.equal(lru.size, 0);
  });

  it('a budget holds a bounded number of entries however many keys pass through', () => {
    const lru = new LruCache<string, { id: string; name: string }>({ maxBytes: 64 * 1024, ttlMs: 60_000, sizeOf: (key, value) => estimateBytes(key) + estimateBytes(value) });
    for (let i = 0; i < 100_000; i += 1) lru.set(`tenant-${i}`, { id: `ten_${i}`, name: `Tenant number ${i}` });
    const stats = lru.stats();
    assert.ok(stats.bytes <= 64 * 1024, `within the budget: ${stats.bytes}`);
    assert.ok(stats.entries > 0 && stats.entries < 2000, `bounded: ${stats.entries} entries`);
    assert.equal(stats.evictions, 100_000 - stats.entries);
    // The most recent keys are the ones kept.
    assert.deepEqual(lru.get('tenant-99999'), { id: 'ten_99999', name: 'Tenant number 99999' });
    assert.equal(lru.get('tenant-0'), undefined);
  });
});

describe('estimateBytes', () => {
  it('grows with the strings and fields of a value', () => {
    const small = estimateBytes({ id: 'a', settings: '{}' });
    const large = estimateBytes({ id: 'a', settings: JSON.stringify({ signing_alg: 'ES256', x: 'y'.repeat(1000) }) });
    assert.ok(large - small >= 1000);
    assert.ok(estimateBytes(['a', 'b']) > estimateBytes(['a']));
    assert.ok(estimateBytes(new Uint8Array(256)) >= 256);
  });
});
