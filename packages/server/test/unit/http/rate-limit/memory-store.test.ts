/**
 * The in-memory store stays bounded without letting a flood of fresh keys evict the counters that matter: when
 * full, the windows with the fewest hits go first (issue 13, item 3: random client ids used to evict the oldest
 * windows, and with them the brute-force lockouts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../../../src/http/rate-limit/memory-store.ts';
import { createMemoryStore } from '../../../../src/http/rate-limit/memory-store.ts';
import { RateLimiter } from '../../../../src/http/rate-limit/rate-limiter.ts';

test('a flood of one-hit keys never evicts a window with more evidence, and the map stays bounded', async () => {
  const store = new MemoryStore({ maxKeys: 1000 });
  for (let i = 0; i < 5; i++) await store.hit('signin:fail:account:t:alice', 60_000);
  for (let i = 0; i < 10_000; i++) await store.hit(`token:auth-failed:client:${i}`, 60_000);
  assert.equal((await store.peek('signin:fail:account:t:alice'))?.count, 5);
  assert.ok(store.size <= 1000, `size ${store.size}`);
});

test('the store behind the limiter keeps lockout counters apart from request counts', async () => {
  const limiter = new RateLimiter(createMemoryStore({ maxKeys: 100 }));
  await limiter.consume('signin:fail:ip:192.0.2.1', 3, 60_000);
  // Request counts with as much evidence as the lockout counter, many times the capacity.
  for (let i = 0; i < 1000; i++) {
    await limiter.consume(`token:client:${i}`, 10, 60_000);
    await limiter.consume(`token:client:${i}`, 10, 60_000);
  }
  assert.equal((await limiter.isBlocked('signin:fail:ip:192.0.2.1', 2)).remaining, 1);
});
