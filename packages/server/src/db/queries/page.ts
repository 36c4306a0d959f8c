import { sql } from 'kysely';
import type { RawBuilder, SqlBool } from 'kysely';
/**
 * Cursor pagination for list endpoints. Ids are time-ordered (`util/ids.ts`), so "rows after the cursor, ordered
 * by id" is stable while rows are added or removed, and needs no offset scan. The cursor is the last id served.
 */
export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string | undefined;
}

export interface Page<T> {
  readonly data: T[];
  readonly nextCursor: string | null;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** Given `limit + 1` rows ordered by key, returns the page and the cursor of the next one (null at the end). */
export function toPage<T>(rows: T[], request: PageRequest, key: (row: T) => string): Page<T> {
  const more = rows.length > request.limit;
  const data = more ? rows.slice(0, request.limit) : rows;
  return { data, nextCursor: more && data.length > 0 ? key(data[data.length - 1]!) : null };
}

/**
 * `lower(column) like '%text%'` with wildcards escaped, the same on SQLite (whose LIKE has no default escape
 * character) and PostgreSQL (whose LIKE is case-sensitive).
 */
export function containsInsensitive(column: string, text: string): RawBuilder<SqlBool> {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}
