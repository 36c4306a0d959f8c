/**
 * Turns `--set <setting>=<value>` flags (dotted paths into the tenant settings, e.g.
 * `features.auth.password_grant_enabled=true`) into the partial settings object the admin API's PATCH takes.
 * Only the shape is decided here, from the type of each setting's default; whether a value is allowed is the
 * directory's call (`mergeTenantSettings`), so the CLI and the admin API accept and refuse the same things.
 */
import { DEFAULT_TENANT_SETTINGS } from '../directory/tenant-settings.ts';
import { UsageError } from './command.ts';

type Settings = Record<string, unknown>;

function isRecord(value: unknown): value is Settings {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Reads a value the way its default is typed; anything else is passed on as text for the directory to refuse. */
function readValue(path: string, text: string, example: unknown): unknown {
  if (typeof example === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  if (typeof example === 'number') return /^-?\d+$/.test(text) ? Number(text) : text;
  if (Array.isArray(example)) {
    if (!text.trimStart().startsWith('[')) return text.split(',').map((item) => item.trim()).filter((item) => item !== '');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new UsageError(`--set ${path}: "${text}" is not a JSON list (or write a comma-separated one)`);
    }
  }
  return text;
}

export function parseSettingAssignments(assignments: readonly string[]): Settings {
  const settings: Settings = {};
  for (const assignment of assignments) {
    const equals = assignment.indexOf('=');
    if (equals <= 0) throw new UsageError(`--set takes <setting>=<value>, e.g. --set features.auth.password_grant_enabled=true (got "${assignment}")`);
    const path = assignment.slice(0, equals);
    const names = path.split('.');
    let example: unknown = DEFAULT_TENANT_SETTINGS;
    let target = settings;
    for (const [index, name] of names.entries()) {
      example = isRecord(example) && Object.hasOwn(example, name) ? example[name] : undefined;
      if (example === undefined) throw new UsageError(`unknown setting "${path}"`);
      if (index === names.length - 1) break;
      const next = target[name] ?? {};
      if (!isRecord(next)) throw new UsageError(`--set ${path} conflicts with another --set of "${names.slice(0, index + 1).join('.')}"`);
      target = target[name] = next;
    }
    if (isRecord(example)) throw new UsageError(`"${path}" is a group of settings: set one of ${Object.keys(example).map((name) => `${path}.${name}`).join(', ')}`);
    target[names.at(-1)!] = readValue(path, assignment.slice(equals + 1), example);
  }
  return settings;
}
