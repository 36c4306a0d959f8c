/**
 * Audit events as CSV (RFC 4180): a header row, CRLF line ends, fields quoted when they hold a comma, quote or
 * line break. A field a spreadsheet would run as a formula (starting with = + - @, tab or CR) gets a leading
 * apostrophe (OWASP "CSV injection"), since actor and target ids and details come from API callers.
 */
export const CSV_EXPORT_LIMIT = 10_000;

const COLUMNS = ['id', 'occurred_at', 'tenant_id', 'action', 'outcome', 'actor_type', 'actor_id', 'target_type', 'target_id', 'ip', 'details'] as const;

type Row = Record<(typeof COLUMNS)[number], unknown>;

export function csvField(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function auditCsv(rows: readonly Row[]): string {
  const lines = [COLUMNS.join(','), ...rows.map((row) => COLUMNS.map((column) => csvField(row[column])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
