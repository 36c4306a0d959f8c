/**
 * The services one Latchkey process shares: configuration, database, signing keys, caches, limits, logger.
 * Built once by `createLatchkey` and handed to every route and command as an argument (no globals).
 */
import type { Logger } from 'pino';
import { createLogger } from './http/logger.ts';
import { createMetrics, observeCache } from './http/metrics.ts';
import { cacheBudget } from './config/cache-budgets.ts';
import type { Metrics } from './http/metrics.ts';
import type { Config } from './config/load-config.ts';
import { resolveMasterSecret } from './config/master-secret.ts';
import { openDatabase } from './db/database.ts';
import type { Database, DialectName } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { CacheSync } from './db/cache-sync.ts';
import { SigningKeys } from './tokens/signing-keys.ts';
import { TenantDirectory } from './directory/tenant-directory.ts';
import { createRateLimiter } from './http/rate-limit/create-rate-limiter.ts';
import { DEFAULT_PRESET_ENDPOINTS } from './federation/presets.ts';
import type { PresetEndpoints } from './federation/presets.ts';
import type { RateLimiter } from './http/rate-limit/rate-limiter.ts';
import { MailSender } from './mail/sender.ts';
import { createMailTransport } from './mail/transport.ts';
import { registerMailMetrics } from './mail/metrics.ts';

export interface Latchkey {
  readonly config: Config;
  readonly db: Database;
  readonly dialect: DialectName;
  readonly logger: Logger;
  readonly masterSecret: string;
  readonly signingKeys: SigningKeys;
  readonly tenants: TenantDirectory;
  /** Polls the shared change counter: started by the server (`startServer`), never by the CLI. */
  readonly cacheSync: CacheSync;
  readonly rateLimiter: RateLimiter;
  readonly metrics: Metrics;
  /** The outbox sender: started by the server (`startServer`), never by the CLI; `wake()` after queuing mail. */
  readonly mail: MailSender;
  /** The endpoints of OAuth 2.0 federation presets (GitHub); only code building the context can change them. */
  readonly federationPresets: PresetEndpoints;
  now(): number;
  close(): Promise<void>;
}

export interface CreateOptions {
  readonly logger?: Logger;
  /** Run migrations (the server does; the CLI does too, so it works on a fresh database). */
  readonly migrate?: boolean;
  /** Tests point preset endpoints at a loopback server; no configuration or API reaches this. */
  readonly federationPresets?: PresetEndpoints;
}

export async function createLatchkey(config: Config, options: CreateOptions = {}): Promise<Latchkey> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const secret = resolveMasterSecret(config);
  if (secret.source === 'generated') {
    logger.warn({ path: secret.path }, 'LATCHKEY_SECRET is not set: generated a master secret into the data directory (mode 0600); set LATCHKEY_SECRET to the same value on every instance');
  }
  const { db, dialect, description, announcer } = openDatabase(config.databaseUrl, {
    timeoutMs: config.databaseTimeout * 1000,
    onAnnounceError: (error) => logger.warn({ err: error }, 'could not announce a directory change: other instances see it within LATCHKEY_CACHE_TTL_SECONDS'),
  });
  try {
    if (options.migrate !== false) {
      const applied = await migrateToLatest(db);
      if (applied.length > 0) logger.info({ database: description, applied }, 'database migrated');
    }
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const now = () => Date.now();
  const signingKeys = new SigningKeys(db, {
    masterSecret: secret.value,
    cacheTtlMs: config.cacheTtl * 1000,
    activationDelayMs: config.keyActivationDelay * 1000,
    lockRows: dialect === 'postgres',
    maxBytes: { keySets: cacheBudget(config, 'signingKeySets'), privateKeys: cacheBudget(config, 'privateKeys') },
  });
  const tenants = new TenantDirectory(db, { ttlMs: config.cacheTtl * 1000, maxBytes: cacheBudget(config, 'tenants') });
  const cacheSync = new CacheSync(db, {
    intervalMs: config.cacheSync,
    lifetimeMs: config.cacheLifetime * 1000,
    onChange: () => {
      tenants.clear();
      signingKeys.invalidate();
    },
    announcer,
    logger,
  });
  await cacheSync.sync();
  const rateLimiter = createRateLimiter(config, logger);
  const metrics = createMetrics();
  observeCache(metrics, 'tenants', tenants);
  observeCache(metrics, 'signing_key_sets', { stats: () => signingKeys.stats().keySets });
  observeCache(metrics, 'private_keys', { stats: () => signingKeys.stats().privateKeys });
  const mail = new MailSender({
    db,
    dialect,
    config,
    transport: createMailTransport(config, logger),
    metrics: registerMailMetrics(metrics.registry, db, now, logger),
    logger,
    now,
  });
  return {
    config,
    db,
    dialect,
    logger,
    masterSecret: secret.value,
    signingKeys,
    tenants,
    cacheSync,
    rateLimiter,
    metrics,
    mail,
    federationPresets: options.federationPresets ?? DEFAULT_PRESET_ENDPOINTS,
    now,
    async close() {
      await cacheSync.stop();
      await mail.stop();
      await rateLimiter.close();
      await db.destroy();
    },
  };
}
