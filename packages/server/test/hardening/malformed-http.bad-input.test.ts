/**
 * Requests Node's HTTP parser refuses before Fastify sees them (Content-Length with Transfer-Encoding, a broken
 * request line, a character HTTP does not allow in a header, headers past the size limit, HTTP/2 prior
 * knowledge) and `CONNECT`, over raw TCP so the test controls every byte. Each gets one complete answer in our
 * RFC 6749 §5.2 JSON error format with the security headers of every other answer, then the server closes the
 * connection — no Fastify default body (`{"error":"Bad Request","message":"Client Error"}`), no close without an
 * answer (`CONNECT` was), no reset under the client while it is still sending (431 was) — and nothing changes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { STATUS_CODES } from 'node:http';
import { connect } from 'node:net';
import { createTenantWithClient, startTestServer } from '../support/server.ts';
import type { TenantWithClient, TestServer } from '../support/server.ts';
import { MARKUP_PROBE } from '../support/bad-input.ts';
import { snapshotDatabase } from '../support/snapshot.ts';

/** Client input that must never come back: markup, and a marker that is easy to find in any encoding. */
const PROBE = `probe-${MARKUP_PROBE}`;
const SECURITY_HEADERS = ['x-content-type-options', 'referrer-policy', 'x-frame-options', 'content-security-policy'] as const;

interface Exchange {
  readonly received: string;
  /** The socket error the client saw (ECONNRESET means the answer may have been lost), if any. */
  readonly error?: string;
}

/** Sends the bytes, then reads until the server closes the connection (failing if it does not within 5 s). */
function exchange(port: number, bytes: string | Buffer): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const received: Buffer[] = [];
    let error: string | undefined;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server neither answered nor closed within 5 s; received ${JSON.stringify(Buffer.concat(received).toString('latin1').slice(0, 200))}`));
    }, 5000);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ received: Buffer.concat(received).toString('latin1'), ...(error ? { error } : {}) });
    });
    socket.on('connect', () => socket.write(bytes));
  });
}

interface ParsedResponse {
  readonly statusLine: string;
  readonly headers: Map<string, string>;
  readonly body: string;
}

function parseResponse(received: string): ParsedResponse {
  const end = received.indexOf('\r\n\r\n');
  assert.ok(end > 0, `no complete response head: ${JSON.stringify(received.slice(0, 200))}`);
  const [statusLine, ...lines] = received.slice(0, end).split('\r\n');
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    assert.ok(!headers.has(name), `header ${name} sent twice`);
    headers.set(name, line.slice(colon + 1).trim());
  }
  return { statusLine: statusLine!, headers, body: received.slice(end + 4) };
}

describe('requests the HTTP parser refuses, and CONNECT', () => {
  let server: TestServer;
  let port: number;
  let acme: TenantWithClient;
  let snapshot: Record<string, unknown[]>;
  /** The security headers of an ordinary JSON answer, which the refusals must carry too. */
  let securityHeaders: Record<string, string | null>;

  before(async () => {
    server = await startTestServer('sqlite');
    port = Number(new URL(server.url).port);
    acme = await createTenantWithClient(server, 'acme');
    const health = await fetch(`${server.url}/healthz`);
    securityHeaders = Object.fromEntries(SECURITY_HEADERS.map((name) => [name, health.headers.get(name)]));
    snapshot = await snapshotDatabase(server.ctx.db, 'sqlite');
  });
  after(() => server.stop());

  /** One whole answer in our JSON error format, then the server's close, and nothing of the request echoed. */
  function assertRefused(result: Exchange, status: number, error = 'invalid_request'): ParsedResponse {
    const label = JSON.stringify(result.received.slice(0, 300));
    assert.equal(result.error, undefined, `the connection broke (${result.error}); received ${label}`);
    const response = parseResponse(result.received);
    assert.equal(response.statusLine, `HTTP/1.1 ${status} ${STATUS_CODES[status]}`, label);
    assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8', label);
    assert.equal(response.headers.get('cache-control'), 'no-store', label);
    assert.equal(response.headers.get('connection'), 'close', label);
    assert.equal(response.headers.get('content-length'), String(Buffer.byteLength(response.body)), `exactly one body, as long as announced: ${label}`);
    for (const name of SECURITY_HEADERS) assert.equal(response.headers.get(name) ?? null, securityHeaders[name], `${name}: ${label}`);
    assert.match(response.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/, label);
    const body = JSON.parse(response.body) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['error', 'error_description'], label);
    assert.equal(body.error, error, label);
    assert.equal(typeof body.error_description, 'string', label);
    assert.ok(!result.received.includes('probe-'), `client input reflected: ${label}`);
    return response;
  }

  /** Content-Length with Transfer-Encoding: chunked, whose chunked body ends early and smuggles a second request. */
  function smugglingRequest(): string {
    const smuggled = `POST /admin/v1/tenants HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 30\r\n\r\n{"slug":"smuggled","name":"x"}`;
    const body = `0\r\n\r\n${smuggled}`;
    const form = `grant_type=client_credentials&client_id=${acme.clientId}&client_secret=${acme.clientSecret}&scope=${PROBE}`;
    return `POST /t/acme/oauth2/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\nTransfer-Encoding: chunked\r\n\r\n${body}`;
  }

  it('answers Content-Length with Transfer-Encoding: chunked (a request-smuggling shape) with 400 JSON, and runs neither request', async () => {
    // RFC 9112 §6.3: a server may reject this outright, and must close the connection if it does not.
    const result = await exchange(port, smugglingRequest());
    assertRefused(result, 400);
    assert.equal(result.received.match(/HTTP\/1\.1 \d{3}/g)?.length, 1, 'the smuggled request was answered');
    assert.deepEqual(await server.ctx.db.selectFrom('tenants').select('slug').where('slug', '=', 'smuggled').execute(), [], 'the smuggled request ran');
  });

  it('answers a malformed request line with 400 JSON', async () => {
    assertRefused(await exchange(port, `GET /${PROBE} HTTP/1.1 trailing-garbage\r\nHost: 127.0.0.1\r\n\r\n`), 400);
    assertRefused(await exchange(port, `not http at all ${PROBE}\r\n\r\n`), 400);
    assertRefused(await exchange(port, `G@T /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`), 400);
  });

  it('answers a header with a character HTTP does not allow with 400 JSON', async () => {
    assertRefused(await exchange(port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Probe\x01: ${PROBE}\r\n\r\n`), 400);
    assertRefused(await exchange(port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Probe: ${PROBE}\x00\r\n\r\n`), 400);
  });

  it('answers headers over the size limit with 431 JSON, without resetting the connection while the client still sends', async () => {
    const huge = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n${Array.from({ length: 64 }, (_, i) => `X-Pad-${i}: ${PROBE}${'a'.repeat(4000)}\r\n`).join('')}\r\n`;
    assertRefused(await exchange(port, huge), 431);
  });

  it('answers HTTP/2 prior knowledge on the HTTP/1.1 port with 400 JSON', async () => {
    assertRefused(await exchange(port, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), 400);
  });

  it('answers CONNECT with 405 JSON instead of closing the connection without an answer', async () => {
    const response = assertRefused(await exchange(port, `CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nX-Probe: ${PROBE}\r\n\r\n`), 405, 'method_not_allowed');
    // RFC 9110 §15.5.6: a 405 carries Allow; empty, as no method is allowed on a tunnel target here (§10.2.1).
    assert.equal(response.headers.get('allow'), '');
  });

  it('answers CONNECT with 405 JSON when the client sends tunnel bytes right after the request', async () => {
    const result = await exchange(port, `CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n${'x'.repeat(256 * 1024)}`);
    assertRefused(result, 405, 'method_not_allowed');
  });

  it('changed nothing in the database (the smuggled request included) and still serves ordinary requests', async () => {
    // Sends every kind of refused request itself (so this test runs alone), then compares the whole database.
    const before = await snapshotDatabase(server.ctx.db, 'sqlite');
    const refused = [
      smugglingRequest(),
      `GET /${PROBE} HTTP/1.1 trailing-garbage\r\nHost: 127.0.0.1\r\n\r\n`,
      `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Probe\x01: ${PROBE}\r\n\r\n`,
      'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
      `CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nX-Probe: ${PROBE}\r\n\r\n`,
    ];
    for (const raw of refused) assert.match((await exchange(port, raw)).received, /^HTTP\/1\.1 4\d\d /);
    assert.deepEqual(await snapshotDatabase(server.ctx.db, 'sqlite'), before, 'a refused request changed the database');
    assert.deepEqual(await snapshotDatabase(server.ctx.db, 'sqlite'), snapshot, 'the refusals of the other tests changed the database');
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  });
});
