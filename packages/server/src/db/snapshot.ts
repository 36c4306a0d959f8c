import { sql } from 'kysely';
import type { Database, DialectName } from './database.ts';

/**
 * Runs `work` on one consistent read snapshot without blocking writers: REPEATABLE READ on PostgreSQL, a
 * deferred read transaction on SQLite (WAL keeps its snapshot while the server goes on writing; the driver's
 * own transactions are BEGIN IMMEDIATE, which would hold the write lock for the whole export).
 */
export async function inReadSnapshot<T>(db: Database, dialect: DialectName, work: (db: Database) => Promise<T>): Promise<T> {
  if (dialect === 'postgres') {
    return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute((trx) => work(trx));
  }
  return db.connection().execute(async (connection) => {
    await sql`begin deferred`.execute(connection);
    try {
      const result = await work(connection);
      await sql`commit`.execute(connection);
      return result;
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => {});
      throw error;
    }
  });
}
