/**
 * The export document (`latchkey export`): one JSON object, versioned, holding every row of every table in an
 * order the foreign keys accept. Secrets stay as stored: client secrets, API keys, refresh tokens and
 * passwords as hashes, private signing keys encrypted under LATCHKEY_SECRET (so the importing deployment needs
 * the same secret).
 */
import { InvalidRequest, assert } from '../errors/oauth-error.ts';
import type { DialectName } from '../db/database.ts';
import type { Row } from '../db/queries/backup.ts';

export const EXPORT_FORMAT = 'latchkey-export';
export const EXPORT_VERSION = 1;

export type ExportScope = { readonly type: 'deployment' } | { readonly type: 'tenant'; readonly tenant: string; readonly tenant_id: string };

export interface ExportHeader {
  readonly format: typeof EXPORT_FORMAT;
  readonly version: typeof EXPORT_VERSION;
  readonly exported_at: string;
  readonly source: { readonly dialect: DialectName; readonly migrations: readonly string[] };
  readonly scope: ExportScope;
  /** Tables left out of a tenant export because nothing ties their rows to a tenant. */
  readonly omitted: readonly string[];
}

export interface ExportDocument extends ExportHeader {
  /** Table name → rows, in insertion order. */
  readonly tables: Readonly<Record<string, readonly Row[]>>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Checks the shape of a parsed document before anything is written. */
export function parseExportDocument(value: unknown): ExportDocument {
  assert(isObject(value) && value.format === EXPORT_FORMAT, new InvalidRequest(`not a Latchkey export (format must be "${EXPORT_FORMAT}")`));
  assert(value.version === EXPORT_VERSION, new InvalidRequest(`export version ${String(value.version)} is not supported (this Latchkey reads version ${EXPORT_VERSION})`));
  const source = value.source;
  assert(isObject(source) && Array.isArray(source.migrations) && source.migrations.every((m) => typeof m === 'string'), new InvalidRequest('export has no migration list'));
  const scope = value.scope;
  assert(
    isObject(scope) && (scope.type === 'deployment' || (scope.type === 'tenant' && typeof scope.tenant === 'string' && typeof scope.tenant_id === 'string')),
    new InvalidRequest('export scope must be a deployment or a tenant'),
  );
  const tables = value.tables;
  assert(isObject(tables), new InvalidRequest('export has no tables'));
  for (const [name, rows] of Object.entries(tables)) {
    assert(Array.isArray(rows) && rows.every(isObject), new InvalidRequest(`table ${name} must be a list of row objects`));
  }
  return value as unknown as ExportDocument;
}
