/** Both rate-limit stores behave the same; the Redis one is shared by every limiter that uses the same Redis. */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MemoryStore } from '../../../../src/http/rate-limit/memory-store.ts';
import { RedisStore } from '../../../../src/http/rate-limit/redis-store.ts';
import { RateLimiter } from '../../../../src/http/rate-limit/rate-limiter.ts';
import type { RateLimitStore } from '../../../../src/http/rate-limit/rate-limiter.ts';

const REDIS_URL = process.env.LATCHKEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const stores: Array<[string, () => RateLimitStore]> = [
  ['memory', () => new MemoryStore()],
  ['redis', () => new RedisStore(REDIS_URL, `latchkey-test:${randomBytes(6).toString('hex')}:`)],
];

for (const [name, make] of stores) {
  describe(`rate limiter (${name} store)`, () => {
    const store = make();
    const limiter = new RateLimiter(store);
    after(() => limiter.close());

    it('allows up to the limit, then refuses with a Retry-After within the window', async () => {
      for (let i = 0; i < 3; i++) assert.ok((await limiter.consume('k1', 3, 60_000)).allowed);
      const refused = await limiter.consume('k1', 3, 60_000);
      assert.equal(refused.allowed, false);
      assert.ok(refused.retryAfterSeconds >= 1 && refused.retryAfterSeconds <= 60);
    });

    it('counts keys separately, peeks without counting, and resets', async () => {
      assert.ok((await limiter.consume('k2', 1, 60_000)).allowed);
      assert.equal((await limiter.isBlocked('k2', 1)).allowed, false);
      assert.ok((await limiter.isBlocked('k3', 1)).allowed);
      await limiter.reset('k2');
      assert.ok((await limiter.consume('k2', 1, 60_000)).allowed);
    });

    it('opens a new window once the old one has passed', async () => {
      assert.ok((await limiter.consume('k4', 1, 50)).allowed);
      assert.equal((await limiter.consume('k4', 1, 50)).allowed, false);
      await new Promise((resolve) => setTimeout(resolve, 120));
      assert.ok((await limiter.consume('k4', 1, 50)).allowed);
    });

    it('treats a limit of 0 as unlimited', async () => {
      for (let i = 0; i < 5; i++) assert.ok((await limiter.consume('k5', 0, 60_000)).allowed);
    });
  });
}

describe('rate limiter with an unreachable Redis', () => {
  it('fails open and reports the error', async () => {
    const errors: unknown[] = [];
    const limiter = new RateLimiter(new RedisStore('redis://127.0.0.1:1'), (error) => errors.push(error));
    const decision = await limiter.consume('k', 1, 60_000);
    assert.ok(decision.allowed);
    assert.equal(errors.length, 1);
    await limiter.close();
  });
});
