/**
 * The bad-input harness: sends malformed requests and checks the rules every public endpoint must keep —
 * a 4xx answer (never a 5xx, never a hang), an error body in the endpoint's format (JSON `error` for APIs,
 * HTML for pages), no client input reflected as raw markup, and a database exactly as it was before.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { Database, DialectName } from '../../src/db/database.ts';
import { snapshotDatabase } from './snapshot.ts';

export interface BadRequest {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  /** A string is sent as UTF-8; a Buffer as raw bytes (for non-UTF-8 cases). */
  readonly body?: string | Buffer;
  /** What the answer must be: `json` (RFC 6749 error object) or `html` (a hosted page). */
  readonly expect?: 'json' | 'html';
  /** The exact status, where the rules name one (a 4xx of any kind is enough otherwise). */
  readonly status?: number;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** Raw HTTP so the test controls every byte (fetch would normalise methods, headers and bodies). */
export function sendRaw(baseUrl: string, request: BadRequest): Promise<RawResponse> {
  const url = new URL(request.path, baseUrl);
  const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
  const headers = { ...(body === undefined ? {} : { 'content-length': String(body.length) }), ...request.headers };
  // The path as written (URL parsing would resolve `..` and `.%2e` segments before the server sees them), unless
  // it holds bytes a request line cannot carry.
  const path = /^\/[\x21-\x7e]*$/.test(request.path) ? request.path : `${url.pathname}${url.search}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path, method: request.method, headers, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer to ${request.name} within 10 s`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Markup a test put into a request; it must never come back unescaped. */
export const MARKUP_PROBE = '<script>alert(1)</script>';

export function assertRefusedCleanly(request: BadRequest, response: RawResponse): void {
  const label = `${request.name} (${request.method} ${request.path.slice(0, 80)}) answered ${response.status}: ${response.body.slice(0, 200)}`;
  assert.ok(response.status >= 400 && response.status < 500, label);
  if (request.status !== undefined) assert.equal(response.status, request.status, label);
  const type = String(response.headers['content-type'] ?? '');
  if ((request.expect ?? 'json') === 'json') {
    assert.match(type, /application\/json/, label);
    const body = JSON.parse(response.body) as { error?: unknown };
    assert.equal(typeof body.error, 'string', label);
  } else {
    assert.match(type, /text\/html/, label);
  }
  assert.ok(!response.body.includes('<script>alert(1)'), `input reflected unescaped: ${label}`);
  for (const [name, value] of Object.entries(response.headers)) {
    assert.ok(!String(value).includes('\n') && !name.startsWith('x-injected'), `header injection: ${label}`);
  }
}

/** Sends every request, checks each answer, and proves the database did not change. Returns how many ran. */
export async function runBadInputCases(baseUrl: string, db: Database, dialect: DialectName, requests: readonly BadRequest[]): Promise<number> {
  const before = await snapshotDatabase(db, dialect);
  for (const request of requests) {
    let response: RawResponse;
    try {
      response = await sendRaw(baseUrl, request);
    } catch (error) {
      throw new Error(`${request.name} (${request.method} ${request.path.slice(0, 80)}): ${(error as Error).message}`, { cause: error });
    }
    assertRefusedCleanly(request, response);
  }
  assert.deepEqual(await snapshotDatabase(db, dialect), before, 'a refused request changed the database');
  return requests.length;
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' } as const;
export const JSON_TYPE = { 'content-type': 'application/json' } as const;

/** Values that have broken parsers, queries and templates elsewhere. */
export const HOSTILE_VALUES: readonly string[] = [
  "' OR '1'='1",
  "'; drop table users; --",
  '" OR ""="',
  MARKUP_PROBE,
  '"><img src=x onerror=alert(1)>',
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '%00',
  '\u0000',
  '\r\nX-Injected: yes',
  '${jndi:ldap://127.0.0.1/a}',
  '{{7*7}}',
  '😀'.repeat(50),
  'a'.repeat(5000),
  '\uFEFF\u202E',
  'null',
  '[]',
];
