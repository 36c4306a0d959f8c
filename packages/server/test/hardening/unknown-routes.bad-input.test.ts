/**
 * Requests with a body to routes that do not exist, over raw TCP: the client streams a chunked body and reads the
 * answer only once it has sent the last chunk, as uploading clients do. A route that does not exist answers 404
 * JSON, whatever the body is (not 400 for broken JSON), and the connection is not reset under the client: a reset
 * makes the client's kernel drop the 404 it had not read yet.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

interface Exchange {
  /** Everything the server sent, as text. */
  readonly received: string;
  /** The socket error the client saw (EPIPE, ECONNRESET), if any. */
  readonly error?: string;
}

function chunked(text: string): string {
  return `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
}

/**
 * Sends `head`, then each part with a pause before it (so later parts arrive after the server could have
 * answered), then `tail`; reads nothing until all is sent; then collects what the server sends until it closes
 * the connection (every exchange here ends with a `Connection: close` request). The deadline only guards a hang.
 */
function uploadThenRead(port: number, head: string, parts: readonly string[], tail = ''): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.pause();
    const received: Buffer[] = [];
    let error: string | undefined;
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
    socket.on('close', () => resolve({ received: Buffer.concat(received).toString('utf8'), ...(error ? { error } : {}) }));
    socket.on('connect', async () => {
      socket.write(head);
      for (const part of parts) {
        await sleep(50);
        if (socket.destroyed) return;
        socket.write(part);
      }
      if (tail) socket.write(tail);
      socket.resume();
      setTimeout(() => socket.destroy(), 15_000).unref();
    });
  });
}

function requestHead(method: string, path: string, headers: readonly string[]): string {
  return [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Transfer-Encoding: chunked', ...headers, '', ''].join('\r\n');
}

function assertNotFound(exchange: Exchange, path: string): void {
  assert.equal(exchange.error, undefined, `the connection broke: ${exchange.error}; received ${JSON.stringify(exchange.received.slice(0, 200))}`);
  const [head, body] = exchange.received.split('\r\n\r\n');
  assert.match(head ?? '', /^HTTP\/1\.1 404 /, exchange.received.slice(0, 200));
  assert.match(head ?? '', /content-type: application\/json/i);
  assert.deepEqual(JSON.parse(body!.slice(0, body!.indexOf('}') + 1)), { error: 'not_found', error_description: `no route for PUT ${path}` });
}

// 32 KiB in four chunks: well under the body limit, so nothing about the body itself may be refused.
const BODY = Array.from({ length: 4 }, () => chunked('x'.repeat(8192)));
const LAST_CHUNK = '0\r\n\r\n';

describe('unknown routes with a request body', () => {
  let server: TestServer;
  let port: number;
  before(async () => {
    server = await startTestServer('sqlite');
    port = Number(new URL(server.url).port);
  });
  after(() => server.stop());

  it('answers a chunked PUT with Connection: close with the 404 JSON error instead of resetting the connection', async () => {
    const exchange = await uploadThenRead(port, requestHead('PUT', '/no/such/route', ['Connection: close']), [...BODY, LAST_CHUNK]);
    assertNotFound(exchange, '/no/such/route');
  });

  it('answers 404, not 400, when the body of a chunked PUT to no route is broken JSON', async () => {
    const exchange = await uploadThenRead(port, requestHead('PUT', '/admin/v1/no-such-resource', ['Content-Type: application/json', 'Connection: close']), [...BODY, LAST_CHUNK]);
    assertNotFound(exchange, '/admin/v1/no-such-resource');
  });

  it('keeps a keep-alive connection usable after the 404: the next request on it is answered', async () => {
    const exchange = await uploadThenRead(port, requestHead('PUT', '/no/such/route', ['Content-Type: application/json']), [...BODY, LAST_CHUNK], 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    assertNotFound(exchange, '/no/such/route');
    const responses = exchange.received.match(/HTTP\/1\.1 \d{3}/g) ?? [];
    assert.deepEqual(responses, ['HTTP/1.1 404', 'HTTP/1.1 200']);
  });
});
