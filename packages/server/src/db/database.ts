import { Kysely } from 'kysely';
import { createSqliteDialect } from './sqlite/sqlite-dialect.ts';
import { createPostgresDialect } from './postgres/postgres-dialect.ts';
import type { Schema } from './schema.ts';
import { trackWrites } from './write-tracking.ts';
import { announceChanges } from './change-announcing-driver.ts';
import type { ChangeAnnouncer } from './change-announcing-driver.ts';

export type Database = Kysely<Schema>;
export type DialectName = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  readonly db: Database;
  readonly dialect: DialectName;
  /** A short description without credentials, for logs. */
  readonly description: string;
  /** Bumps the shared change counter after this handle's directory writes, once enabled (`createLatchkey`). */
  readonly announcer: ChangeAnnouncer;
}

export interface OpenOptions {
  /** PostgreSQL query timeout (LATCHKEY_DATABASE_TIMEOUT_SECONDS). */
  readonly timeoutMs?: number;
  /** Called when bumping the shared change counter after an autocommit write fails (the write stands). */
  readonly onAnnounceError?: (error: unknown) => void;
}

/** Opens `sqlite:<path>` (relative to the working directory) or `postgres://…`. */
export function openDatabase(url: string, options: OpenOptions = {}): DatabaseHandle {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') throw new Error('LATCHKEY_DATABASE_URL: sqlite: needs a file path, e.g. sqlite:./data/latchkey.db');
    const { dialect, announcer } = announceChanges(createSqliteDialect(path), options.onAnnounceError);
    return { db: trackWrites(new Kysely<Schema>({ dialect })), dialect: 'sqlite', description: `sqlite:${path}`, announcer };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const parsed = new URL(url);
    const { dialect, announcer } = announceChanges(createPostgresDialect(url, options), options.onAnnounceError);
    return { db: trackWrites(new Kysely<Schema>({ dialect })), dialect: 'postgres', description: `postgres://${parsed.host}${parsed.pathname}`, announcer };
  }
  throw new Error(`LATCHKEY_DATABASE_URL must start with sqlite: or postgres://, got "${url.split(':')[0]}:…"`);
}
