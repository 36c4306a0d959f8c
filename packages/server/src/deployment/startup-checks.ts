/**
 * Checks that make a misconfigured deployment fail (or say so) at start rather than on its first request:
 * a master secret that cannot open the stored signing keys is fatal; settings that weaken multi-instance
 * guarantees are logged.
 */
import type { Latchkey } from '../context.ts';
import { ConfigError } from '../config/load-config.ts';

export async function checkDeployment(ctx: Latchkey): Promise<void> {
  if (!(await ctx.signingKeys.opensStoredKeys())) {
    throw new ConfigError(
      'LATCHKEY_SECRET does not open the signing keys stored in this database; every instance (and every import) needs the secret that sealed them',
    );
  }
  const { config } = ctx;
  if (config.keyActivationDelay < config.cacheTtl) {
    ctx.logger.warn(
      { key_activation_delay: config.keyActivationDelay, cache_ttl: config.cacheTtl },
      'LATCHKEY_KEY_ACTIVATION_DELAY_SECONDS is shorter than LATCHKEY_CACHE_TTL_SECONDS: another instance may sign with a rotated key before this one publishes it',
    );
  }
  if (ctx.dialect === 'postgres' && config.redisUrl === undefined) {
    ctx.logger.info('LATCHKEY_REDIS_URL is not set: rate limits and brute-force counters are per instance');
  }
}
