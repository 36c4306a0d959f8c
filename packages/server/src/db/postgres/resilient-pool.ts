/**
 * A `pg` pool as Kysely sees it, with two repairs for database outages:
 * - a client whose connection failed or whose query timed out is destroyed on release instead of going back to
 *   the pool (pg leaves a timed-out query active on the client, so every later query on it would wait behind a
 *   dead connection and the service would not recover by itself when the database returns);
 * - a checked-out client that loses its connection between two queries reports it here instead of emitting an
 *   unhandled 'error' that would crash the process.
 */
import type pg from 'pg';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import { isDatabaseUnavailable } from '../errors.ts';

export function resilientPool(pool: pg.Pool): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      let broken: Error | undefined;
      const onError = (error: Error) => {
        broken ??= error;
      };
      client.on('error', onError);
      const query = ((sqlOrCursor: string | PostgresCursor<unknown>, parameters?: ReadonlyArray<unknown>) => {
        if (typeof sqlOrCursor !== 'string') return client.query(sqlOrCursor as never);
        return (client.query(sqlOrCursor, parameters as unknown[]) as Promise<PostgresQueryResult<unknown>>).catch((error: unknown) => {
          if (isDatabaseUnavailable(error)) broken ??= error as Error;
          throw error;
        });
      }) as PostgresPoolClient['query'];
      return {
        query,
        release() {
          client.off('error', onError);
          // pg-pool destroys a client released with an error.
          client.release(broken);
        },
      };
    },
    end: () => pool.end(),
  };
}
