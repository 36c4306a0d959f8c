/** Health, readiness, Prometheus metrics, request ids, JSON 404s, security headers and secret-free logs. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLatchkey } from '../../src/context.ts';
import { createLogger } from '../../src/http/logger.ts';
import { startServer } from '../../src/server.ts';
import type { RunningServer } from '../../src/server.ts';
import { createTestDatabase } from '../support/databases.ts';
import type { TestDatabase } from '../support/databases.ts';
import { createTenantWithClient, freePort, TEST_SECRET } from '../support/server.ts';
import type { TenantWithClient } from '../support/server.ts';
import { json, postForm } from '../support/http.ts';

describe('operations', () => {
  let database: TestDatabase;
  let server: RunningServer;
  let acme: TenantWithClient;
  const logLines: string[] = [];

  before(async () => {
    database = await createTestDatabase('sqlite');
    const config = loadConfig({ PORT: String(await freePort()), LATCHKEY_DATABASE_URL: database.url, LATCHKEY_DATA_DIR: database.dir, LATCHKEY_SECRET: TEST_SECRET });
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const ctx = await createLatchkey(config, { logger: createLogger('info', sink) });
    server = await startServer(config, ctx);
    acme = await createTenantWithClient(server, 'acme');
  });
  after(async () => {
    await server.close();
    await database.drop();
  });

  it('reports liveness and readiness', async () => {
    assert.deepEqual(await json(await fetch(`${server.url}/healthz`)), { status: 'ok' });
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal((await json(ready)).database, 'ok');
  });

  it('exposes Prometheus metrics with request and token counters', async () => {
    await postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: acme.clientId, client_secret: acme.clientSecret });
    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
    const text = await response.text();
    assert.match(text, /latchkey_tokens_issued_total\{grant_type="client_credentials"\} [1-9]/);
    assert.match(text, /latchkey_http_requests_total\{method="POST",route="\/oauth2\/token",status="200"\}/);
    assert.match(text, /latchkey_process_resident_memory_bytes/);
  });

  it('echoes a well-formed X-Request-Id and makes one otherwise', async () => {
    const echoed = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'trace-123' } });
    assert.equal(echoed.headers.get('x-request-id'), 'trace-123');
    const replaced = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'bad id\twith spaces' } });
    assert.match(replaced.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes with a 404 JSON error and security headers', async () => {
    const response = await fetch(`${server.url}/no/such/route`);
    assert.equal(response.status, 404);
    assert.equal((await json(response)).error, 'not_found');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
    assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  });

  it('logs structured JSON with request ids and without secrets', async () => {
    await postForm(`${server.url}/oauth2/token?client_secret=${acme.clientSecret}`, { grant_type: 'client_credentials', client_id: acme.clientId, client_secret: acme.clientSecret }, { 'x-request-id': 'log-check-1' });
    const lines = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const mine = lines.filter((line) => line.reqId === 'log-check-1');
    assert.ok(mine.length >= 2, 'request start and completion are logged with the request id');
    const everything = logLines.join('\n');
    assert.ok(!everything.includes(acme.clientSecret), 'the client secret never reaches the log');
    assert.ok(!everything.includes('eyJ'), 'no token reaches the log');
  });
});
