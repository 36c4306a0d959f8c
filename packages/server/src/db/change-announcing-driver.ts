/**
 * Tells other instances (and worker processes) that this one changed something their caches hold, by bumping
 * the shared counter `directory_changes.version` that `cache-sync.ts` polls (issue 21). It wraps the dialect's
 * driver because only the driver sees where a transaction ends:
 * - a write inside a transaction bumps the counter in that transaction, right before COMMIT: the change and
 *   its announcement commit together (no instance can see the new version and still read the old rows, and a
 *   crash cannot commit one without the other). On PostgreSQL the counter's row lock is held only for the
 *   commit, so concurrent directory transactions wait for each other's commit, never deadlock;
 * - a write outside a transaction (autocommit) asks for a bump after it completes, coalesced: at most one
 *   runs at a time and one more follows it for everything asked meanwhile. A crash in between leaves other
 *   instances stale for at most LATCHKEY_CACHE_LIFETIME_SECONDS.
 * Bumps start once `enable()` is called (after migrations, when the table exists): a migration's DDL would
 * otherwise try to bump a counter that is not there yet.
 */
import { CompiledQuery } from 'kysely';
import type { DatabaseConnection, Dialect, Driver, QueryCompiler, QueryResult, TransactionSettings } from 'kysely';
import { mustAnnounce } from './write-tracking.ts';

const BUMP = CompiledQuery.raw('update directory_changes set version = version + 1 where id = 1');

export interface ChangeAnnouncer {
  /** Starts bumping the counter (the table exists). */
  enable(): void;
  /** The bumps done so far (tests). */
  readonly bumps: number;
}

class AnnouncingConnection implements DatabaseConnection {
  readonly inner: DatabaseConnection;
  readonly #driver: AnnouncingDriver;
  inTransaction = false;
  wrote = false;

  constructor(inner: DatabaseConnection, driver: AnnouncingDriver) {
    this.inner = inner;
    this.#driver = driver;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const announce = this.#driver.enabled && mustAnnounce(query.query);
    const result = await this.inner.executeQuery<R>(query);
    if (announce) {
      if (this.inTransaction) this.wrote = true;
      else this.#driver.requestBump();
    }
    return result;
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    if (this.#driver.enabled && mustAnnounce(query.query)) {
      if (this.inTransaction) this.wrote = true;
      else this.#driver.requestBump();
    }
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class AnnouncingDriver implements Driver, ChangeAnnouncer {
  readonly #inner: Driver;
  readonly #onBumpError: (error: unknown) => void;
  enabled = false;
  bumps = 0;
  #running: Promise<void> | undefined;
  #again = false;

  constructor(inner: Driver, onBumpError: (error: unknown) => void) {
    this.#inner = inner;
    this.#onBumpError = onBumpError;
  }

  enable(): void {
    this.enabled = true;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new AnnouncingConnection(await this.#inner.acquireConnection(), this);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const announcing = connection as AnnouncingConnection;
    await this.#inner.beginTransaction(announcing.inner, settings);
    announcing.inTransaction = true;
    announcing.wrote = false;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const announcing = connection as AnnouncingConnection;
    try {
      if (announcing.wrote) {
        await announcing.inner.executeQuery(BUMP);
        this.bumps += 1;
      }
      await this.#inner.commitTransaction(announcing.inner);
    } finally {
      announcing.inTransaction = false;
      announcing.wrote = false;
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const announcing = connection as AnnouncingConnection;
    announcing.inTransaction = false;
    announcing.wrote = false;
    await this.#inner.rollbackTransaction(announcing.inner);
  }

  savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.#inner.savepoint!((connection as AnnouncingConnection).inner, name, compile);
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.#inner.rollbackToSavepoint!((connection as AnnouncingConnection).inner, name, compile);
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.#inner.releaseSavepoint!((connection as AnnouncingConnection).inner, name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection((connection as AnnouncingConnection).inner);
  }

  async destroy(): Promise<void> {
    // A CLI command ends by closing the database: its last bump must land first.
    while (this.#running !== undefined) await this.#running;
    await this.#inner.destroy();
  }

  /** After an autocommit write: one bump now, or one more after the one running. */
  requestBump(): void {
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#running = this.#bump().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.requestBump();
      }
    });
  }

  async #bump(): Promise<void> {
    try {
      const connection = await this.#inner.acquireConnection();
      try {
        await connection.executeQuery(BUMP);
        this.bumps += 1;
      } finally {
        await this.#inner.releaseConnection(connection);
      }
    } catch (error) {
      // The write itself succeeded; other instances see it within the cache TTL instead.
      this.#onBumpError(error);
    }
  }
}

/** The dialect with its driver wrapped, and the handle that enables the bumps once the table exists. */
export function announceChanges(dialect: Dialect, onBumpError: (error: unknown) => void = () => {}): { dialect: Dialect; announcer: ChangeAnnouncer } {
  let driver: AnnouncingDriver | undefined;
  let enabled = false;
  const announcer: ChangeAnnouncer = {
    enable() {
      enabled = true;
      driver?.enable();
    },
    get bumps() {
      return driver?.bumps ?? 0;
    },
  };
  const wrapped: Dialect = {
    createDriver() {
      driver = new AnnouncingDriver(dialect.createDriver(), onBumpError);
      if (enabled) driver.enable();
      return driver;
    },
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
  return { dialect: wrapped, announcer };
}
