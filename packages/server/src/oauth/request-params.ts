/**
 * Reads OAuth parameters from a request body that arrived as a raw string: `application/x-www-form-urlencoded`
 * (RFC 6749 §4.1.3, strict percent-decoding, UTF-8 only) or a flat JSON object of strings (seed 002 posts JSON
 * to the token endpoint). Parameters must not repeat (RFC 6749 §3.2).
 */
import { InvalidRequest } from '../errors/oauth-error.ts';

export type Params = ReadonlyMap<string, string>;

export function parseFormBody(body: string): Map<string, string> {
  const params = new Map<string, string>();
  const repeated = new Set<string>();
  if (body === '') return params;
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = decodeComponent(eq === -1 ? '' : pair.slice(eq + 1));
    if (params.has(name)) repeated.add(name);
    params.set(name, value);
  }
  if (repeated.size > 0) throw new InvalidRequest(`parameters must not be repeated: ${[...repeated].join(', ')}`);
  return params;
}

function decodeComponent(text: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    throw new InvalidRequest('the form body is not valid percent-encoded UTF-8');
  }
  return rejectNul(decoded);
}

/** NUL is never meaningful in a parameter, and PostgreSQL cannot store it in text: refuse it up front. */
function rejectNul(value: string): string {
  if (value.includes('\0')) throw new InvalidRequest('parameters must not contain NUL characters');
  return value;
}

export function parseJsonBody(body: string): Map<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new InvalidRequest('the body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidRequest('the JSON body must be an object');
  const params = new Map<string, string>();
  const wrong: string[] = [];
  for (const [name, v] of Object.entries(value)) {
    if (typeof v === 'string') params.set(rejectNul(name), rejectNul(v));
    else if (v === null) continue;
    else wrong.push(name);
  }
  if (wrong.length > 0) throw new InvalidRequest(`JSON parameters must be strings: ${wrong.join(', ')}`);
  return params;
}

/** The media type of a Content-Type header, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

/** Parses a POST body by its content type; `allowJson` for endpoints that accept seed 002's JSON bodies. */
export function readBodyParams(contentType: string | undefined, body: unknown, options: { allowJson: boolean }): Map<string, string> {
  const type = mediaType(contentType);
  const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : '';
  if (type === 'application/x-www-form-urlencoded') return parseFormBody(text);
  if (options.allowJson && type === 'application/json') return parseJsonBody(text);
  throw new InvalidRequest(
    `Content-Type must be application/x-www-form-urlencoded${options.allowJson ? ' or application/json' : ''}${type ? `, not ${type}` : ''}`,
  );
}

/** Query-string parameters with the same rules (authorize and end-session by GET). */
export function readQueryParams(url: string): Map<string, string> {
  const q = url.indexOf('?');
  return parseFormBody(q === -1 ? '' : url.slice(q + 1));
}

/** `assertPresent(params, 'code', 'redirect_uri')`: every missing parameter named at once. */
export function assertPresent(params: Params, ...names: string[]): void {
  const missing = names.filter((name) => !params.get(name));
  if (missing.length > 0) throw new InvalidRequest(`missing required parameter${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
}

/** Rejects parameters longer than `max` characters, so oversize values fail early and clearly. */
export function assertLengths(params: Params, max = 4096): void {
  for (const [name, value] of params) {
    if (value.length > max) throw new InvalidRequest(`parameter ${name.slice(0, 64)} is too long`);
  }
}

export function splitScope(scope: string | undefined): string[] {
  if (scope === undefined) return [];
  return [...new Set(scope.split(' ').filter((s) => s !== ''))];
}
