import { Kysely } from 'kysely';
import { createSqliteDialect } from './sqlite/sqlite-dialect.ts';
import { createPostgresDialect } from './postgres/postgres-dialect.ts';
import type { Schema } from './schema.ts';
import { trackWrites } from './write-tracking.ts';

export type Database = Kysely<Schema>;
export type DialectName = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  readonly db: Database;
  readonly dialect: DialectName;
  /** A short description without credentials, for logs. */
  readonly description: string;
}

export interface OpenOptions {
  /** PostgreSQL query timeout (LATCHKEY_DATABASE_TIMEOUT_SECONDS). */
  readonly timeoutMs?: number;
}

/** Opens `sqlite:<path>` (relative to the working directory) or `postgres://…`. */
export function openDatabase(url: string, options: OpenOptions = {}): DatabaseHandle {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new Error('LATCHKEY_DATABASE_URL: sqlite: needs a file path, e.g. sqlite:./data/latchkey.db');
    return { db: trackWrites(new Kysely<Schema>({ dialect: createSqliteDialect(path) })), dialect: 'sqlite', description: `sqlite:${path}` };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const parsed = new URL(url);
    return {
      db: trackWrites(new Kysely<Schema>({ dialect: createPostgresDialect(url, options) })),
      dialect: 'postgres',
      description: `postgres://${parsed.host}${parsed.pathname}`,
    };
  }
  throw new Error(`LATCHKEY_DATABASE_URL must start with sqlite: or postgres://, got "${url.split(':')[0]}:…"`);
}
