/**
 * With Redis configured, the limiter counts in this process while Redis is away and goes back to Redis when it
 * returns, logging both changes once (issue 14, item 6). A real Redis behind a TCP proxy the test blackholes
 * (commands hang until they time out) and restores.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { createLogger } from '../../../../src/http/logger.ts';
import { createRateLimiter } from '../../../../src/http/rate-limit/create-rate-limiter.ts';
import { TcpProxy } from '../../../support/tcp-proxy.ts';
import { uniqueRedisPrefix } from '../../../support/instances.ts';

const REDIS_URL = new URL(process.env.LATCHKEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');

describe('rate limiter over a Redis that goes away and comes back', () => {
  const prefix = uniqueRedisPrefix();
  const proxy = new TcpProxy(REDIS_URL.hostname, Number(REDIS_URL.port || 6379));
  const messages: string[] = [];
  const logger = createLogger('info', new Writable({ write: (chunk: Buffer, _encoding, done) => (messages.push(JSON.parse(chunk.toString()).msg), done()) }));
  after(async () => {
    await proxy.close();
    const redis = new Redis(REDIS_URL.href);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('keeps limiting in process while Redis hangs, logs the change once each way, and shares counts again after', async () => {
    const port = await proxy.start();
    const limiter = createRateLimiter({ redisUrl: `redis://127.0.0.1:${port}`, redisKeyPrefix: prefix }, logger);
    try {
      assert.ok((await limiter.consume('signin:fail:account:t:a', 2, 60_000)).allowed);

      proxy.cut('blackhole');
      assert.ok((await limiter.consume('signin:fail:account:t:b', 2, 60_000)).allowed);
      assert.ok((await limiter.consume('signin:fail:account:t:b', 2, 60_000)).allowed);
      assert.equal((await limiter.consume('signin:fail:account:t:b', 2, 60_000)).allowed, false, 'limited without Redis');
      assert.equal((await limiter.isBlocked('signin:fail:account:t:b', 2)).allowed, false);
      assert.equal(messages.filter((m) => m.includes('unavailable')).length, 1, messages.join(' | '));

      proxy.restore();
      const deadline = Date.now() + 20_000;
      while (!messages.some((m) => m.includes('is back')) && Date.now() < deadline) {
        await limiter.consume('probe', 100, 60_000);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(messages.some((m) => m.includes('is back')), messages.join(' | '));
      // Counted in Redis again: a second limiter on the same Redis sees the first one's hit.
      assert.ok((await limiter.consume('signin:fail:account:t:a', 2, 60_000)).allowed);
      const other = createRateLimiter({ redisUrl: REDIS_URL.href, redisKeyPrefix: prefix }, logger);
      try {
        assert.equal((await other.consume('signin:fail:account:t:a', 2, 60_000)).allowed, false, 'the shared count (3) is over the limit');
      } finally {
        await other.close();
      }
      // What was counted during the outage still counts.
      assert.equal((await limiter.isBlocked('signin:fail:account:t:b', 2)).allowed, false);
    } finally {
      await limiter.close();
    }
  });
});
