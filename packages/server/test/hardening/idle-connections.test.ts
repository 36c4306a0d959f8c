/**
 * Connections that never send a byte (issue 14.5): 2,100 of them held forever exhausted a 2,048 descriptor limit
 * and locked every new client out. A connection must send its request headers within
 * LATCHKEY_HEADERS_TIMEOUT_SECONDS or be closed, and a process holds at most LATCHKEY_MAX_CONNECTIONS at once:
 * past the cap new connections are closed at once and one log line says so (once per interval, not once per
 * connection). Clients that speak keep working. Loopback only, every loop bounded.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLatchkey } from '../../src/context.ts';
import { createLogger } from '../../src/http/logger.ts';
import { startServer } from '../../src/server.ts';
import type { RunningServer } from '../../src/server.ts';
import { createTestDatabase } from '../support/databases.ts';
import type { TestDatabase } from '../support/databases.ts';
import { freePort, TEST_SECRET } from '../support/server.ts';

interface Watched {
  readonly socket: Socket;
  closed: boolean;
  received: string;
}

/** Every socket a test opened, destroyed after each suite so a failing test cannot hold the server open. */
const opened: Socket[] = [];

/** Opens a connection that sends nothing and records what happens to it. */
function silentConnection(port: number): Promise<Watched> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    opened.push(socket);
    const watched: Watched = { socket, closed: false, received: '' };
    socket.on('data', (chunk: Buffer) => (watched.received += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => (watched.closed = true));
    socket.once('connect', () => resolve(watched));
    socket.once('error', reject);
  });
}

/** GET `path` on a connection of its own that closes after the answer (a kept-alive one would count as held). */
async function get(port: number, path: string): Promise<string> {
  const client = await silentConnection(port);
  client.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  await until(() => client.closed, `GET ${path} is answered`);
  return client.received;
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

interface Started {
  readonly server: RunningServer;
  readonly port: number;
  readonly logs: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

async function start(env: Record<string, string>): Promise<Started> {
  const database: TestDatabase = await createTestDatabase('sqlite');
  const port = await freePort();
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: String(port),
    LATCHKEY_DATABASE_URL: database.url,
    LATCHKEY_DATA_DIR: database.dir,
    LATCHKEY_SECRET: TEST_SECRET,
    ...env,
  });
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const ctx = await createLatchkey(config, { logger: createLogger('warn', sink) });
  const server = await startServer(config, ctx);
  return {
    server,
    port,
    logs,
    async stop() {
      for (const socket of opened.splice(0)) socket.destroy();
      await server.close();
      await ctx.close();
      await database.drop();
    },
  };
}

const connections = (server: RunningServer) => new Promise<number>((resolve, reject) => server.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));

describe('connections that send nothing', () => {
  let started: Started;
  before(async () => {
    started = await start({ LATCHKEY_HEADERS_TIMEOUT_SECONDS: '1' });
  });
  after(() => started.stop());

  it('are closed once LATCHKEY_HEADERS_TIMEOUT_SECONDS pass, while clients that speak are served', async () => {
    const silent = await Promise.all(Array.from({ length: 20 }, () => silentConnection(started.port)));
    assert.match(await get(started.port, '/healthz'), /^HTTP\/1\.1 200 /);
    await until(() => silent.every((s) => s.closed), 'every silent connection is closed');
    // Nothing was asked, so nothing is answered.
    assert.deepEqual(silent.map((s) => s.received), silent.map(() => ''));
    await until(async () => (await connections(started.server)) === 0, 'the server holds no connection');
    assert.match(await get(started.port, '/healthz'), /^HTTP\/1\.1 200 /);
  });

  it('keeps an answered kept-alive connection open past the headers timeout, for its next request (LATCHKEY_KEEP_ALIVE_TIMEOUT_SECONDS governs it)', async () => {
    const client = await silentConnection(started.port);
    const request = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
    client.socket.write(request);
    await until(() => /\r\n\r\n\{"status":"ok"/.test(client.received) || client.closed, 'the first answer arrives');
    assert.match(client.received, /^HTTP\/1\.1 200 [^]*keep-alive: timeout=75/i);
    // Idle for three headers timeouts (and their sweeps): a balancer's pooled connection must survive that.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(client.closed, false);
    client.received = '';
    client.socket.end(request.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n'));
    await until(() => client.closed, 'the second answer arrives');
    assert.match(client.received, /^HTTP\/1\.1 200 /);
  });
});

describe('the cap on concurrent connections', () => {
  let started: Started;
  before(async () => {
    started = await start({ LATCHKEY_MAX_CONNECTIONS: '5', LATCHKEY_HEADERS_TIMEOUT_SECONDS: '60', LATCHKEY_REQUEST_TIMEOUT_SECONDS: '60' });
  });
  after(() => started.stop());

  it('closes connections past LATCHKEY_MAX_CONNECTIONS at once, logs it once, and serves again below the cap', async () => {
    const held = await Promise.all(Array.from({ length: 5 }, () => silentConnection(started.port)));
    await until(async () => (await connections(started.server)) === 5, 'the server holds the five connections');
    const refused = await Promise.all(Array.from({ length: 4 }, () => silentConnection(started.port)));
    await until(() => refused.every((s) => s.closed), 'the connections past the cap are closed');
    assert.ok(held.every((s) => !s.closed), 'connections under the cap are kept');
    const lines = started.logs.filter((line) => line.msg === 'connection limit reached: refusing new connections');
    assert.equal(lines.length, 1, JSON.stringify(started.logs));
    assert.equal(lines[0]!.max_connections, 5);

    for (const s of held) s.socket.destroy();
    await until(async () => (await connections(started.server)) === 0, 'the held connections are gone');
    assert.match(await get(started.port, '/healthz'), /^HTTP\/1\.1 200 /);
  });
});
