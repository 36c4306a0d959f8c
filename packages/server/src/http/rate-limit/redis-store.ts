import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type { RateLimitStore, WindowCount } from './rate-limiter.ts';

// INCR and set the expiry on the first hit, atomically, returning the count and the window's remaining time.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
`;

const STARTUP_WAIT_MS = 1000;

/** Windows shared by every instance through Redis. Commands time out quickly so a Redis outage cannot hang requests. */
export class RedisStore implements RateLimitStore {
  readonly #redis: Redis;
  readonly #prefix: string;
  /** Settles when the first connection is made or fails (or after a second): until then commands would fail open. */
  readonly #started: Promise<void>;

  constructor(url: string, prefix = 'latchkey:rl:') {
    // Loaded only when Redis is configured: ioredis is ~9 MB of resident memory that an instance without Redis
    // never needs (issue 6: idle RSS < 120 MB).
    const { Redis: RedisClient } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
    this.#redis = new RedisClient(url, { lazyConnect: false, maxRetriesPerRequest: 1, commandTimeout: 500, enableOfflineQueue: false });
    this.#redis.on('error', () => {});
    this.#prefix = prefix;
    // Without the offline queue, a request arriving while the instance is still connecting would go uncounted
    // (fail open): right after a restart, limits would not hold. Requests wait for the first connection instead.
    this.#started = new Promise((resolve) => {
      const timer = setTimeout(resolve, STARTUP_WAIT_MS);
      timer.unref();
      const settle = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#redis.once('ready', settle);
      this.#redis.once('error', settle);
    });
  }

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    const [count, ttl] = await this.#command(() => this.#redis.eval(HIT_SCRIPT, 1, this.#prefix + key, String(windowMs)) as Promise<[number, number]>);
    return { count, resetInMs: ttl };
  }

  async peek(key: string): Promise<WindowCount | undefined> {
    const [count, ttl] = await this.#command(() => Promise.all([this.#redis.get(this.#prefix + key), this.#redis.pttl(this.#prefix + key)]));
    if (count === null || ttl < 0) return undefined;
    return { count: Number(count), resetInMs: ttl };
  }

  async reset(key: string): Promise<void> {
    await this.#command(() => this.#redis.del(this.#prefix + key));
  }

  async #command<T>(run: () => Promise<T>): Promise<T> {
    await this.#started;
    try {
      return await run();
    } catch (error) {
      // A command that timed out on a connection that looks healthy: the path to Redis is dead without being
      // closed (a partition, a firewall or NAT that forgot the connection), and ioredis would keep waiting on
      // it forever. Drop it and reconnect, so Redis is used again as soon as it can be reached.
      if (error instanceof Error && error.message === 'Command timed out' && this.#redis.status === 'ready') this.#redis.disconnect(true);
      throw error;
    }
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }
}
