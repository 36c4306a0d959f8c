import type { Transaction } from 'kysely';
import type { Database } from './database.ts';
import type { Schema } from './schema.ts';

/**
 * Runs `work` in a transaction: the caller's one when `db` already is a transaction (so an admin change and its
 * audit record commit together), a new one otherwise. Kysely does not nest transactions.
 */
export function inTransaction<T>(db: Database, work: (trx: Transaction<Schema>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db as Transaction<Schema>);
  return db.transaction().execute(work);
}
