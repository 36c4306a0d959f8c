import type { Logger } from 'pino';
import type { Config } from '../../config/load-config.ts';
import { FailoverStore } from './failover-store.ts';
import { createMemoryStore } from './memory-store.ts';
import { RedisStore } from './redis-store.ts';
import { RateLimiter } from './rate-limiter.ts';

export function createRateLimiter(config: Pick<Config, 'redisUrl' | 'redisKeyPrefix'>, logger: Logger): RateLimiter {
  if (config.redisUrl === undefined) return new RateLimiter(createMemoryStore());
  const store = new FailoverStore(new RedisStore(config.redisUrl, `${config.redisKeyPrefix}rl:`), createMemoryStore(), {
    down: (error) => logger.warn({ err: error }, 'rate-limit store (Redis) unavailable; limits are counted in this process until it returns'),
    up: () => logger.info('rate-limit store (Redis) is back; limits are shared again'),
  });
  return new RateLimiter(store, (error) => logger.warn({ err: error }, 'rate-limit store failed; this request was not counted'));
}
