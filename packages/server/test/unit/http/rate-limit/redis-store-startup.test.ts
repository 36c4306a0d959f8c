/**
 * Regression: a RedisStore used before its first connection was made threw (no offline queue), so the limiter
 * failed open and the first requests after an instance started were not counted. They now wait for it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { RedisStore } from '../../../../src/http/rate-limit/redis-store.ts';

const REDIS_URL = process.env.LATCHKEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('RedisStore right after start', () => {
  it('counts a hit made before the connection is up', async () => {
    const prefix = `latchkey-test:${randomBytes(4).toString('hex')}:`;
    const store = new RedisStore(REDIS_URL, prefix);
    try {
      assert.equal((await store.hit('k', 5000)).count, 1);
      assert.equal((await store.hit('k', 5000)).count, 2);
      await store.reset('k');
    } finally {
      await store.close();
    }
  });

  it('does not wait long for a Redis that is not there (the limiter then fails open)', async () => {
    const store = new RedisStore('redis://127.0.0.1:1', 'latchkey-test:');
    try {
      await assert.rejects(store.hit('k', 5000));
    } finally {
      await store.close();
    }
  });
});
