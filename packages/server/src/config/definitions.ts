/**
 * Every environment variable Latchkey reads, in one place. `loadConfig` parses them once at start-up and the
 * README's configuration table is generated from this list (`npm run docs:config`), so the two cannot drift.
 */
export interface VariableDefinition<T> {
  readonly name: string;
  readonly description: string;
  /** The default as written in the README; `undefined` means "unset" (the description says what then happens). */
  readonly defaultText: string;
  readonly parse: (raw: string | undefined, env: Readonly<Record<string, string | undefined>>) => T;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function integer(name: string, fallback: number, min: number, max: number) {
  return (raw: string | undefined): number => {
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  };
}

function text(fallback: string) {
  return (raw: string | undefined): string => (raw === undefined || raw === '' ? fallback : raw);
}

function optional(raw: string | undefined): string | undefined {
  return raw === undefined || raw === '' ? undefined : raw;
}

function oneOf<const T extends string>(name: string, values: readonly T[], fallback: T) {
  return (raw: string | undefined): T => {
    if (raw === undefined || raw === '') return fallback;
    if (!(values as readonly string[]).includes(raw)) {
      throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
    }
    return raw as T;
  };
}

function url(name: string) {
  return (raw: string | undefined): string | undefined => {
    if (raw === undefined || raw === '') return undefined;
    try {
      const parsed = new URL(raw);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
      if (parsed.search || parsed.hash) throw new Error('query or fragment');
      return parsed.href.replace(/\/+$/, '');
    } catch {
      throw new ConfigError(`${name} must be an http(s) URL without query or fragment, got "${raw}"`);
    }
  };
}

const dataDirOrDefault = text('./data');

export const variables = {
  host: {
    name: 'HOST',
    description: 'Address the HTTP server listens on.',
    defaultText: '127.0.0.1',
    parse: text('127.0.0.1'),
  },
  port: {
    name: 'PORT',
    description: 'TCP port the HTTP server listens on (0 picks a free one).',
    defaultText: '9000',
    parse: integer('PORT', 9000, 0, 65535),
  },
  baseUrl: {
    name: 'LATCHKEY_BASE_URL',
    description:
      'Public URL of this deployment; tenant issuers are `<base>/t/<slug>`. Set it to the https URL users see behind a proxy.',
    defaultText: 'http://HOST:PORT',
    parse: url('LATCHKEY_BASE_URL'),
  },
  databaseUrl: {
    name: 'LATCHKEY_DATABASE_URL',
    description:
      '`sqlite:<path>` for the embedded store (WAL, `synchronous=FULL`), or `postgres://user@host:port/db` for PostgreSQL.',
    defaultText: 'sqlite:<LATCHKEY_DATA_DIR>/latchkey.db',
    // The default file follows LATCHKEY_DATA_DIR, as the generated secret does (`sqlite:./data/latchkey.db` unset).
    parse: (raw: string | undefined, env: Readonly<Record<string, string | undefined>>) =>
      raw === undefined || raw === '' ? `sqlite:${dataDirOrDefault(env.LATCHKEY_DATA_DIR).replace(/\/+$/, '')}/latchkey.db` : raw,
  },
  databaseTimeout: {
    name: 'LATCHKEY_DATABASE_TIMEOUT_SECONDS',
    description:
      'PostgreSQL: how long a query may run (and, up to 3 s, a new connection may take) before the request fails with 503. Bounds how long requests wait while the database is unreachable.',
    defaultText: '10',
    parse: integer('LATCHKEY_DATABASE_TIMEOUT_SECONDS', 10, 1, 3600),
  },
  dataDir: {
    name: 'LATCHKEY_DATA_DIR',
    description: 'Directory for local state: the generated secret file and the SQLite file of the default `LATCHKEY_DATABASE_URL`.',
    defaultText: './data',
    parse: dataDirOrDefault,
  },
  secret: {
    name: 'LATCHKEY_SECRET',
    description:
      'Master secret (at least 32 characters) that encrypts signing keys at rest and protects cookies. Unset: one is generated into `<data dir>/secret` with mode 0600. Every instance of a deployment needs the same value.',
    defaultText: '(generated)',
    parse: (raw: string | undefined) => {
      const value = optional(raw);
      if (value !== undefined && value.length < 32) {
        throw new ConfigError('LATCHKEY_SECRET must be at least 32 characters long');
      }
      return value;
    },
  },
  redisUrl: {
    name: 'LATCHKEY_REDIS_URL',
    description:
      'Redis URL (`redis://127.0.0.1:6379`). Set: rate limits and brute-force counters are shared by every instance (while Redis is unreachable, each process counts on its own until it returns). Unset: they are kept in memory, per instance.',
    defaultText: '(unset)',
    parse: optional,
  },
  redisKeyPrefix: {
    name: 'LATCHKEY_REDIS_KEY_PREFIX',
    description:
      'Prefix of every Redis key Latchkey writes, so several deployments (or test runs) can share one Redis without sharing counters.',
    defaultText: 'latchkey:',
    parse: text('latchkey:'),
  },
  metricsToken: {
    name: 'LATCHKEY_METRICS_TOKEN',
    description:
      'Bearer token (at least 16 characters) a Prometheus scraper presents to `GET /metrics` (`Authorization: Bearer <token>`, compared in constant time). Set: required from every client. Unset: `/metrics` answers loopback clients only (and no request forwarded by a proxy), 403 to anyone else.',
    defaultText: '(unset)',
    parse: (raw: string | undefined) => {
      const value = optional(raw);
      if (value !== undefined && value.length < 16) throw new ConfigError('LATCHKEY_METRICS_TOKEN must be at least 16 characters long');
      return value;
    },
  },
  workers: {
    name: 'LATCHKEY_WORKERS',
    description:
      '`latchkey serve`: how many worker processes share the port (`node:cluster`); 1 runs a single process without a primary. `--workers` overrides it.',
    defaultText: '(one per core)',
    parse: (raw: string | undefined) => (raw === undefined || raw === '' ? undefined : integer('LATCHKEY_WORKERS', 1, 1, 1024)(raw)),
  },
  logLevel: {
    name: 'LATCHKEY_LOG_LEVEL',
    description: 'pino log level: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`.',
    defaultText: 'info',
    parse: oneOf('LATCHKEY_LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
  },
  bodyLimit: {
    name: 'LATCHKEY_BODY_LIMIT',
    description: 'Largest request body accepted, in bytes; larger bodies get 413.',
    defaultText: '65536',
    parse: integer('LATCHKEY_BODY_LIMIT', 65536, 1024, 10 * 1024 * 1024),
  },
  trustProxy: {
    name: 'LATCHKEY_TRUST_PROXY',
    description:
      'Trust `X-Forwarded-*` headers from these proxies (`true`, a hop count, or comma-separated addresses/CIDRs). Needed for per-IP limits behind a load balancer.',
    defaultText: 'false',
    parse: (raw: string | undefined): boolean | number | string => {
      if (raw === undefined || raw === '' || raw === 'false') return false;
      if (raw === 'true') return true;
      if (/^\d+$/.test(raw)) return Number(raw);
      return raw;
    },
  },
  rateLimitWindow: {
    name: 'LATCHKEY_RATE_LIMIT_WINDOW_SECONDS',
    description: 'Length of the rate-limit window, in seconds.',
    defaultText: '60',
    parse: integer('LATCHKEY_RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86400),
  },
  rateLimitPerClient: {
    name: 'LATCHKEY_RATE_LIMIT_PER_CLIENT',
    description:
      'Token-endpoint requests one client may make per window, counted once it has authenticated; failed authentications under one client id have an allowance of this size of their own, so they never throttle the real client (0 turns both off).',
    defaultText: '1200',
    parse: integer('LATCHKEY_RATE_LIMIT_PER_CLIENT', 1200, 0, 100_000_000),
  },
  rateLimitPerIp: {
    name: 'LATCHKEY_RATE_LIMIT_PER_IP',
    description: 'Token-endpoint requests one IP address may make per window; IPv6 addresses count per /64 (0 turns the limit off).',
    defaultText: '6000',
    parse: integer('LATCHKEY_RATE_LIMIT_PER_IP', 6000, 0, 100_000_000),
  },
  adminRateLimitPerPrincipal: {
    name: 'LATCHKEY_ADMIN_RATE_LIMIT_PER_PRINCIPAL',
    description: 'Admin API (`/admin/v1`) requests one admin user or admin client may make per rate-limit window; more get 429 with Retry-After (0 turns the limit off).',
    defaultText: '1200',
    parse: integer('LATCHKEY_ADMIN_RATE_LIMIT_PER_PRINCIPAL', 1200, 0, 100_000_000),
  },
  signInMaxFailuresPerAccount: {
    name: 'LATCHKEY_SIGN_IN_MAX_FAILURES_PER_ACCOUNT',
    description:
      'Failed sign-ins (hosted page or password grant) one account may have per lockout window before further attempts wait (0 turns the limit off).',
    defaultText: '5',
    parse: integer('LATCHKEY_SIGN_IN_MAX_FAILURES_PER_ACCOUNT', 5, 0, 1_000_000),
  },
  signInMaxFailuresPerIp: {
    name: 'LATCHKEY_SIGN_IN_MAX_FAILURES_PER_IP',
    description: 'Failed sign-ins one IP address may have per lockout window, across all accounts (0 turns the limit off).',
    defaultText: '30',
    parse: integer('LATCHKEY_SIGN_IN_MAX_FAILURES_PER_IP', 30, 0, 1_000_000),
  },
  signInLockout: {
    name: 'LATCHKEY_SIGN_IN_LOCKOUT_SECONDS',
    description: 'The brute-force window: failures are counted over this many seconds, and a locked account or IP waits until it ends.',
    defaultText: '900',
    parse: integer('LATCHKEY_SIGN_IN_LOCKOUT_SECONDS', 900, 1, 86400),
  },
  sessionLifetime: {
    name: 'LATCHKEY_SESSION_LIFETIME_SECONDS',
    description:
      'The longest a browser session (single sign-on across a tenant\'s applications) may last after sign-in, over every tenant. Each tenant sets its own `session_max_lifetime` (default 30 days) and `session_idle_timeout` (default 24 h) below it.',
    defaultText: '2592000',
    parse: integer('LATCHKEY_SESSION_LIFETIME_SECONDS', 30 * 86400, 60, 365 * 86400),
  },
  keyActivationDelay: {
    name: 'LATCHKEY_KEY_ACTIVATION_DELAY_SECONDS',
    description:
      'How long a rotated-in signing key is published in JWKS before it signs, so every instance and relying party can see it first.',
    defaultText: '60',
    parse: integer('LATCHKEY_KEY_ACTIVATION_DELAY_SECONDS', 60, 0, 7 * 86400),
  },
  cacheTtl: {
    name: 'LATCHKEY_CACHE_TTL_SECONDS',
    description:
      'The longest a change made through another instance, worker or the CLI may take to show here when the shared change signal (LATCHKEY_CACHE_SYNC_MS) is off or cannot be read: how long an instance then caches tenants, signing keys, the clients and service-account claims the token endpoint reads, and the groups, roles and permissions introspection reports of a token\'s subject (changes made through the same instance show at once). Also the `Cache-Control` max-age of discovery, JWKS and other public documents. 0 turns these caches off.',
    defaultText: '5',
    parse: integer('LATCHKEY_CACHE_TTL_SECONDS', 5, 0, 3600),
  },
  cacheLifetime: {
    name: 'LATCHKEY_CACHE_LIFETIME_SECONDS',
    description:
      'How long the caches above keep an entry while the shared change signal is current (the last read of it succeeded within LATCHKEY_CACHE_TTL_SECONDS): changes made elsewhere drop entries through the signal, so this bounds only what a lost signal (an instance that crashed between a write and its announcement) leaves stale. Longer keeps more of the long tail of tenants cached (the memory stays within LATCHKEY_CACHE_MEMORY_MB). A value below LATCHKEY_CACHE_TTL_SECONDS counts as that TTL.',
    defaultText: '300',
    parse: integer('LATCHKEY_CACHE_LIFETIME_SECONDS', 300, 0, 86400),
  },
  cacheSync: {
    name: 'LATCHKEY_CACHE_SYNC_MS',
    description:
      'How often each serving process reads the shared change counter (one single-row read), so a change made through another instance, worker or the CLI shows here within about this interval. 0 turns the signal off: caches then keep entries for LATCHKEY_CACHE_TTL_SECONDS.',
    defaultText: '1000',
    parse: integer('LATCHKEY_CACHE_SYNC_MS', 1000, 0, 60_000),
  },
  cacheMemory: {
    name: 'LATCHKEY_CACHE_MEMORY_MB',
    description:
      'How much memory (an estimate, in MiB) each process may spend on the caches above (tenants, clients, service-account claims, signing keys, brands, and what introspection reports of the subject of a token), shared out among them in fixed parts; least recently used entries go first when a part is full. The default holds the token endpoint working set of about 10,000 tenants (some 5.5 KB each, as the caches estimate it); with more, tenants outside the working set are read from the database again (`latchkey_cache_requests_total` shows hits and misses). 0 turns these caches off.',
    defaultText: '64',
    parse: integer('LATCHKEY_CACHE_MEMORY_MB', 64, 0, 65536),
  },
  headersTimeout: {
    name: 'LATCHKEY_HEADERS_TIMEOUT_SECONDS',
    description:
      'How long a client has to send the headers of a request, counted from when it connects (or starts its next request on a kept-alive connection). A connection that sends nothing is closed then, so idle connections cannot pile up until the process runs out of file descriptors.',
    defaultText: '10',
    parse: integer('LATCHKEY_HEADERS_TIMEOUT_SECONDS', 10, 1, 3600),
  },
  requestTimeout: {
    name: 'LATCHKEY_REQUEST_TIMEOUT_SECONDS',
    description:
      'How long a client has to send a whole request, headers and body (the time Latchkey takes to answer does not count); slower requests get 408. At least LATCHKEY_HEADERS_TIMEOUT_SECONDS.',
    defaultText: '30',
    parse: (raw: string | undefined, env: Readonly<Record<string, string | undefined>>): number => {
      const value = integer('LATCHKEY_REQUEST_TIMEOUT_SECONDS', 30, 1, 3600)(raw);
      const headers = Number(env.LATCHKEY_HEADERS_TIMEOUT_SECONDS || 10);
      if (Number.isInteger(headers) && value < headers) {
        throw new ConfigError(`LATCHKEY_REQUEST_TIMEOUT_SECONDS (${value}) must be at least LATCHKEY_HEADERS_TIMEOUT_SECONDS (${headers})`);
      }
      return value;
    },
  },
  keepAliveTimeout: {
    name: 'LATCHKEY_KEEP_ALIVE_TIMEOUT_SECONDS',
    description:
      "How long an idle kept-alive connection stays open for the client's next request. Keep it above the idle timeout of the load balancer in front (AWS ALB and nginx: 60 s), so the balancer, not Latchkey, closes idle connections and never sends a request into one Latchkey is closing (a 502).",
    defaultText: '75',
    parse: integer('LATCHKEY_KEEP_ALIVE_TIMEOUT_SECONDS', 75, 1, 3600),
  },
  maxConnections: {
    name: 'LATCHKEY_MAX_CONNECTIONS',
    description:
      'Most connections one process (one worker with `--workers`) holds at once; past it new connections are closed at once and a warning is logged (at most once a minute). Keep it below the open-file limit (`ulimit -n`) so the database and logs still get descriptors. 0: no cap.',
    defaultText: '4000',
    parse: integer('LATCHKEY_MAX_CONNECTIONS', 4000, 0, 1_000_000),
  },
  clientMetadataLoopback: {
    name: 'LATCHKEY_TEST_CLIENT_METADATA_LOOPBACK',
    description:
      'TESTS ONLY: let client ID metadata documents be fetched from loopback addresses (127.0.0.0/8, ::1), over http too. Never set it in production: it opens the fetcher to the machine\'s own services.',
    defaultText: 'false',
    parse: oneOf('LATCHKEY_TEST_CLIENT_METADATA_LOOPBACK', ['false', 'true'], 'false'),
  },
  shutdownTimeout: {
    name: 'LATCHKEY_SHUTDOWN_TIMEOUT_SECONDS',
    description: 'On SIGTERM, how long in-flight requests may take to finish before the process exits.',
    defaultText: '10',
    parse: integer('LATCHKEY_SHUTDOWN_TIMEOUT_SECONDS', 10, 0, 600),
  },
  smtpUrl: {
    name: 'LATCHKEY_SMTP_URL',
    description:
      'Where mail goes: `smtp://user:pass@host:587` (STARTTLS when the server offers it) or `smtps://…:465` (TLS from the start). Unset: each mail is written to the log and to `<data dir>/mail/` (for local use).',
    defaultText: '(unset)',
    parse: (raw: string | undefined) => {
      const value = optional(raw);
      if (value === undefined) return undefined;
      let protocol: string;
      try {
        protocol = new URL(value).protocol;
      } catch {
        throw new ConfigError('LATCHKEY_SMTP_URL must be an smtp:// or smtps:// URL');
      }
      if (protocol !== 'smtp:' && protocol !== 'smtps:') throw new ConfigError('LATCHKEY_SMTP_URL must be an smtp:// or smtps:// URL');
      return value;
    },
  },
  mailFrom: {
    name: 'LATCHKEY_MAIL_FROM',
    description: 'The `From` of every mail Latchkey sends (`Acme Login <login@acme.example>`).',
    defaultText: 'Latchkey <latchkey@localhost>',
    parse: text('Latchkey <latchkey@localhost>'),
  },
  mailMaxAttempts: {
    name: 'LATCHKEY_MAIL_MAX_ATTEMPTS',
    description: 'How many times the outbox tries to hand a mail to the SMTP server before it counts it as failed.',
    defaultText: '10',
    parse: integer('LATCHKEY_MAIL_MAX_ATTEMPTS', 10, 1, 100),
  },
  mailRetryBase: {
    name: 'LATCHKEY_MAIL_RETRY_BASE_SECONDS',
    description: 'The first retry of a mail waits this long; each next one twice as long, up to an hour.',
    defaultText: '30',
    parse: integer('LATCHKEY_MAIL_RETRY_BASE_SECONDS', 30, 1, 3600),
  },
  mailPollInterval: {
    name: 'LATCHKEY_MAIL_POLL_INTERVAL_MS',
    description: 'How often each instance looks for mail due in the outbox (mail queued by the instance itself goes at once).',
    defaultText: '2000',
    parse: integer('LATCHKEY_MAIL_POLL_INTERVAL_MS', 2000, 50, 600_000),
  },
  passwordResetLifetime: {
    name: 'LATCHKEY_PASSWORD_RESET_LIFETIME_SECONDS',
    description: 'How long a password-reset link works (it works once).',
    defaultText: '1800',
    parse: integer('LATCHKEY_PASSWORD_RESET_LIFETIME_SECONDS', 1800, 60, 86400),
  },
  verificationLifetime: {
    name: 'LATCHKEY_EMAIL_VERIFICATION_LIFETIME_SECONDS',
    description: 'How long an email-verification or sign-up confirmation link works (it works once).',
    defaultText: '86400',
    parse: integer('LATCHKEY_EMAIL_VERIFICATION_LIFETIME_SECONDS', 86400, 60, 30 * 86400),
  },
  invitationLifetime: {
    name: 'LATCHKEY_INVITATION_LIFETIME_SECONDS',
    description: 'How long an invitation link works; resending an invitation starts the time again.',
    defaultText: '604800',
    parse: integer('LATCHKEY_INVITATION_LIFETIME_SECONDS', 604800, 60, 90 * 86400),
  },
  accountMailPerAddress: {
    name: 'LATCHKEY_ACCOUNT_MAIL_MAX_PER_ADDRESS',
    description: 'Password-reset, verification and sign-up mails one address may be sent per hour (asked for by anyone; unknown addresses count alike). 0: no limit.',
    defaultText: '5',
    parse: integer('LATCHKEY_ACCOUNT_MAIL_MAX_PER_ADDRESS', 5, 0, 1_000_000),
  },
  accountMailPerIp: {
    name: 'LATCHKEY_ACCOUNT_MAIL_MAX_PER_IP',
    description: 'Password-reset, verification and sign-up requests one IP address may make per hour. 0: no limit.',
    defaultText: '30',
    parse: integer('LATCHKEY_ACCOUNT_MAIL_MAX_PER_IP', 30, 0, 1_000_000),
  },
} as const satisfies Record<string, VariableDefinition<unknown>>;

export type Variables = typeof variables;
