/**
 * Regression (issue 13, item 4): the node:http bridge read every request body into memory before routing, so a
 * 600 MB POST to an unknown path grew a product process to 2.4 GB. It now routes first, reads a body only when
 * a handler asks for it, stops at the limit with 413, and never holds more than the limit. Real HTTP servers and
 * real streamed bodies (one 64 KiB buffer written again and again: the test never allocates the body either).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { expressHandler, nodeListener, readParams, routeTable } from '../src/index.ts';

const LIMIT = 16 * 1024;
/** What a server that stopped reading may still have taken from its socket (Node's and the kernel's buffers). */
const READ_SLACK = 4 * 1024 * 1024;
/** Never sent in full: the server must answer long before. */
const HUGE = 200 * 1024 * 1024;

interface Streamed {
  readonly status: number;
  readonly body: string;
  /** Bytes the client managed to hand to its socket before the answer came. */
  readonly written: number;
}

/** POSTs up to `total` bytes, streamed, and stops writing as soon as the response arrives. */
function streamPost(url: string, total: number, headers: Record<string, string> = {}, end = true): Promise<Streamed> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let written = 0;
    let answered: { status: number; body: string } | undefined;
    const request = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
    request.on('response', (response) => {
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () => {
        answered = { status: response.statusCode ?? 0, body: Buffer.concat(parts).toString() };
        request.destroy();
        resolve({ ...answered, written });
      });
    });
    request.on('error', (error) => (answered ? resolve({ ...answered, written }) : reject(error)));
    // Send the headers now: a request that declares its length and writes nothing would otherwise wait here.
    request.flushHeaders();
    const pump = () => {
      while (answered === undefined && written < total) {
        written += chunk.length;
        if (!request.write(chunk)) return void request.once('drain', pump);
      }
      if (end && answered === undefined) request.end();
    };
    pump();
  });
}

async function listen(listener: RequestListener): Promise<{ url: string; server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    sockets.add(req.socket);
    listener(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, server, sockets };
}

/** The bytes the server read from the socket that carried the request, once that socket is closed. */
async function bytesReadByServer(sockets: Set<Socket>): Promise<number> {
  const deadline = Date.now() + 10_000;
  while ([...sockets].some((socket) => !socket.destroyed) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok([...sockets].every((socket) => socket.destroyed), 'the server closed the connection');
  const total = [...sockets].reduce((sum, socket) => sum + socket.bytesRead, 0);
  sockets.clear();
  return total;
}

const echo = routeTable([['POST', '/echo', async (request) => Response.json(await readParams(request))]]);

describe('node:http bridge body limit (issue 13, item 4)', () => {
  let url: string;
  let server: Server;
  let sockets: Set<Socket>;
  before(async () => ({ url, server, sockets } = await listen(nodeListener({ bodyLimit: LIMIT }, echo))));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers an unknown path with 404 without reading its body (the default listener)', async () => {
    const plain = await listen(nodeListener(echo));
    try {
      const answer = await streamPost(`${plain.url}/nowhere`, HUGE);
      assert.equal(answer.status, 404);
      assert.ok(answer.written < HUGE, 'the client was stopped before it sent everything');
      const read = await bytesReadByServer(plain.sockets);
      assert.ok(read < READ_SLACK, `the server read ${read} bytes`);
    } finally {
      await new Promise<void>((resolve) => plain.server.close(() => resolve()));
    }
  });

  it('answers 413 once a streamed body passes the limit, and stops reading', async () => {
    sockets.clear();
    const answer = await streamPost(`${url}/echo`, HUGE);
    assert.equal(answer.status, 413);
    assert.deepEqual(JSON.parse(answer.body), { error: 'invalid_request', error_description: `the request body is larger than ${LIMIT} bytes` });
    const read = await bytesReadByServer(sockets);
    assert.ok(read < READ_SLACK, `the server read ${read} bytes`);
  });

  it('answers 413 at once for a declared Content-Length over the limit, reading nothing', async () => {
    sockets.clear();
    const answer = await streamPost(`${url}/echo`, 0, { 'content-length': String(10 * 1024 ** 3) }, false);
    assert.equal(answer.status, 413);
    assert.ok((await bytesReadByServer(sockets)) < 64 * 1024);
  });

  it('still reads a body within the limit', async () => {
    const response = await fetch(`${url}/echo`, { method: 'POST', body: new URLSearchParams({ a: 'b'.repeat(LIMIT - 10) }) });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { a: string }).a.length, LIMIT - 10);
    assert.equal((await fetch(`${url}/echo`, { method: 'POST', body: new URLSearchParams({ a: 'b'.repeat(LIMIT) }) })).status, 413);
  });

  it('defaults to 64 KiB, like the server', async () => {
    const { url: plainUrl, server: plain } = await listen(nodeListener(echo));
    try {
      assert.equal((await fetch(`${plainUrl}/echo`, { method: 'POST', body: new URLSearchParams({ a: 'b'.repeat(60_000) }) })).status, 200);
      assert.equal((await fetch(`${plainUrl}/echo`, { method: 'POST', body: new URLSearchParams({ a: 'b'.repeat(70_000) }) })).status, 413);
    } finally {
      await new Promise<void>((resolve) => plain.close(() => resolve()));
    }
  });
});

describe('Express/Connect bridge body limit (issue 13, item 4)', () => {
  let url: string;
  let server: Server;
  let sockets: Set<Socket>;
  before(async () => {
    const handler = expressHandler({ bodyLimit: LIMIT }, echo);
    // The product's own route after ours: it reads the body itself, whatever its size.
    const upload = (req: IncomingMessage, res: ServerResponse) => {
      let size = 0;
      req.on('data', (part: Buffer) => (size += part.length));
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ size })));
    };
    ({ url, server, sockets } = await listen((req, res) => handler(req, res, (error?: unknown) => (error ? res.writeHead(500).end() : upload(req, res)))));
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('leaves the bodies of routes it does not own untouched for the next middleware', async () => {
    const response = await fetch(`${url}/upload`, { method: 'POST', body: 'x'.repeat(LIMIT * 8) });
    assert.deepEqual(await response.json(), { size: LIMIT * 8 });
  });

  it('answers 413 on its own routes past the limit, and stops reading', async () => {
    sockets.clear();
    const answer = await streamPost(`${url}/echo`, HUGE);
    assert.equal(answer.status, 413);
    const read = await bytesReadByServer(sockets);
    assert.ok(read < READ_SLACK, `the server read ${read} bytes`);
  });
});
