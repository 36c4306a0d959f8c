/**
 * Kysely over Node's built-in `node:sqlite`. Kysely's own SQLite dialect expects better-sqlite3's statement API;
 * `NodeSqliteDatabase` adapts `DatabaseSync` to it, and the driver opens write transactions with
 * `BEGIN IMMEDIATE` so that the CLI and the server (two processes on one file) wait on the busy timeout instead
 * of failing with SQLITE_BUSY halfway through a read-then-write transaction.
 */
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { StatementSync, SQLInputValue } from 'node:sqlite';
import { CompiledQuery, SqliteDialect, SqliteDriver } from 'kysely';
import type { DatabaseConnection, Driver, SqliteDatabase, SqliteStatement } from 'kysely';

const STATEMENT_CACHE_SIZE = 256;

class NodeSqliteDatabase implements SqliteDatabase {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, { statement: StatementSync; reader: boolean }>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  close(): void {
    this.#statements.clear();
    this.#db.close();
  }

  prepare(sql: string): SqliteStatement {
    let cached = this.#statements.get(sql);
    if (cached === undefined) {
      const statement = this.#db.prepare(sql);
      cached = { statement, reader: statement.columns().length > 0 };
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
        this.#statements.delete(this.#statements.keys().next().value as string);
      }
      this.#statements.set(sql, cached);
    }
    const { statement, reader } = cached;
    return {
      reader,
      all: (parameters: readonly unknown[]) => statement.all(...(parameters as SQLInputValue[])),
      run: (parameters: readonly unknown[]) => {
        const { changes, lastInsertRowid } = statement.run(...(parameters as SQLInputValue[]));
        return { changes, lastInsertRowid };
      },
      iterate: (parameters: readonly unknown[]) => statement.iterate(...(parameters as SQLInputValue[])),
    };
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class NodeSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDatabase;
  constructor(database: SqliteDatabase) {
    super({ database });
    this.#database = database;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.#database });
  }
}

/**
 * The database holds password hashes and sealed signing keys: its directory is created 0700 and the file 0600
 * whatever the umask (issue 13, 9). SQLite gives the -wal and -shm files the database file's mode, so they
 * follow. A file an older version left readable to others is tightened too.
 */
function createPrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    } catch (error) {
      // Gone, or not ours to change (a read-only mount, another owner): SQLite reports what matters on open.
      if (!['ENOENT', 'EPERM', 'EACCES', 'EROFS'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
    }
  }
}

/** `path` is a file path or `:memory:`. */
export function createSqliteDialect(path: string): SqliteDialect {
  if (path !== ':memory:') createPrivateFile(path);
  const db = new DatabaseSync(path, { enableForeignKeyConstraints: true, timeout: 5000 });
  // WAL lets readers run beside the one writer; synchronous=FULL makes every acknowledged commit durable
  // (NORMAL could lose the last transactions on power loss, which an identity provider must not).
  db.exec('pragma journal_mode = wal; pragma synchronous = full; pragma foreign_keys = on; pragma busy_timeout = 5000;');
  return new NodeSqliteDialect(new NodeSqliteDatabase(db));
}
