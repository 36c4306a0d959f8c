/**
 * The README's quick start, as a user runs it: `latchkey serve` as its own process, the CLI as another process
 * on the same SQLite file while the server runs, and seed 000's token request. The token verifies with jose
 * against the tenant JWKS with the documented iss and aud. SIGTERM then shuts the server down cleanly.
 *
 * Both run the shipped executable (`bin/latchkey.js`, through its `#!` line, as `npm start` and `npx latchkey`
 * do) with the pinned node first on PATH, as npm puts it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { createTestDatabase } from '../support/databases.ts';
import type { TestDatabase } from '../support/databases.ts';
import { freePort } from '../support/server.ts';
import { json, postForm } from '../support/http.ts';
import { LATCHKEY_BIN } from '../support/launcher.ts';

const run = promisify(execFile);

describe('quick start (separate server and CLI processes)', () => {
  let database: TestDatabase;
  let server: ChildProcess;
  let base: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    database = await createTestDatabase('sqlite');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // No LATCHKEY_SECRET: the server generates one into the data directory, as on a fresh machine.
    env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, PORT: String(port), LATCHKEY_DATABASE_URL: database.url, LATCHKEY_DATA_DIR: database.dir, LATCHKEY_LOG_LEVEL: 'warn' };
    delete env.LATCHKEY_SECRET;
    server = spawn(LATCHKEY_BIN, ['serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    for (let attempt = 0; attempt < 100; attempt++) {
      const ready = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
      if (ready) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('server did not become ready');
  });
  after(async () => {
    if (server.exitCode === null) {
      server.kill('SIGKILL');
      await once(server, 'exit');
    }
    await database.drop();
  });

  it('issues seed 000 token for a tenant and client made by the CLI while the server runs', async () => {
    const tenant = JSON.parse((await run(LATCHKEY_BIN, ['tenant', 'create', 'acme', '--json'], { env })).stdout);
    assert.equal(tenant.issuer, `${base}/t/acme`);
    const client = JSON.parse((await run(LATCHKEY_BIN, ['client', 'create', '--tenant', 'acme', '--name', 'agent', '--json'], { env })).stdout);

    const response = await postForm(`${base}/application/o/token/`, { grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret, scope: 'openid' });
    assert.equal(response.status, 200);
    const body = await json(response);
    assert.deepEqual({ token_type: body.token_type, expires_in: body.expires_in }, { token_type: 'Bearer', expires_in: 3600 });
    const { payload } = await jwtVerify(body.access_token as string, createRemoteJWKSet(new URL(`${base}/t/acme/jwks`)), { issuer: `${base}/t/acme`, audience: client.client_id });
    assert.equal(payload.client_id, client.client_id);
  });

  it('runs with V8\'s young generation capped by the launcher\'s flag (--max-semi-space-size=8: two 8 MiB semi-spaces)', async () => {
    // Uncapped, V8 grows the young generation to 64 MiB on this machine while the server's modules compile. The
    // server runs one worker per core here, and /metrics sums the workers' heaps.
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const newSpace = Number(/^latchkey_nodejs_heap_space_size_total_bytes\{space="new"\} (\d+)$/m.exec(metrics)?.[1]);
    assert.ok(newSpace > 0 && newSpace <= availableParallelism() * 16 * 2 ** 20, `young generation ${newSpace} bytes over ${availableParallelism()} workers`);
  });

  it('exits 0 on SIGTERM after draining', async () => {
    server.kill('SIGTERM');
    const [code] = await once(server, 'exit');
    assert.equal(code, 0);
  });
});
