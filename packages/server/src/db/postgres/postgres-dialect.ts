/**
 * Kysely over `pg`. int8 columns hold epoch milliseconds, well inside 2^53, so they are parsed as numbers.
 *
 * `pg` is imported when Kysely first connects, not when this module loads: an instance on SQLite (the default)
 * never loads its ~30 modules (idle RSS, bench/README.md), as ioredis is loaded only when Redis is configured.
 */
import type pg from 'pg';
import { PostgresDialect } from 'kysely';
import { resilientPool } from './resilient-pool.ts';

const INT8_OID = 20;

export interface PostgresOptions {
  readonly max?: number;
  /** Query timeout; new connections get at most 3 s of it. */
  readonly timeoutMs?: number;
}

export function createPostgresDialect(connectionString: string, options: PostgresOptions = {}): PostgresDialect {
  return new PostgresDialect({ pool: async () => resilientPool(createPool((await import('pg')).default, connectionString, options)) });
}

function createPool(driver: typeof pg, connectionString: string, options: PostgresOptions): pg.Pool {
  const pool = new driver.Pool({
    connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: Math.min(3000, options.timeoutMs ?? 10_000),
    // Fail fast when the server is gone instead of hanging a request (issue: database outage answers 503).
    query_timeout: options.timeoutMs ?? 10_000,
    keepAlive: true,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (value: string) => Number(value) : driver.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection emits 'error' on the pool; without a listener that would crash the process.
  pool.on('error', () => {});
  return pool;
}
