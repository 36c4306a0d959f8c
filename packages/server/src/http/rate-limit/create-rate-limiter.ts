import type { Logger } from 'pino';
import type { Config } from '../../config/load-config.ts';
import { createMemoryStore } from './memory-store.ts';
import { RedisStore } from './redis-store.ts';
import { RateLimiter } from './rate-limiter.ts';

export function createRateLimiter(config: Pick<Config, 'redisUrl' | 'redisKeyPrefix'>, logger: Logger): RateLimiter {
  if (config.redisUrl === undefined) return new RateLimiter(createMemoryStore());
  let lastWarning = 0;
  return new RateLimiter(new RedisStore(config.redisUrl, `${config.redisKeyPrefix}rl:`), (error) => {
    // Fail open, but say so (at most once a minute, so an outage does not flood the log).
    if (Date.now() - lastWarning > 60_000) {
      lastWarning = Date.now();
      logger.warn({ err: error }, 'rate-limit store (Redis) unavailable; limits are not enforced until it returns');
    }
  });
}
