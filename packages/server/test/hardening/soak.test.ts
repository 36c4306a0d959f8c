/**
 * Soak: a bounded mixed load against one instance (a separate process) for LATCHKEY_SOAK_SECONDS (default 60):
 * no response may be a 5xx, and the server's RSS at the end must be within 10% of its RSS after warm-up.
 * The load is a fixed number of concurrent loops, each stopping by itself when the time is up.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createTestDatabase } from '../support/databases.ts';
import type { TestDatabase } from '../support/databases.ts';
import { CLI_MAIN, residentMemory, startServerProcess } from '../support/server-process.ts';
import type { ServerProcess } from '../support/server-process.ts';
import { TEST_SECRET } from '../support/server.ts';

const run = promisify(execFile);
const SOAK_SECONDS = Number(process.env.LATCHKEY_SOAK_SECONDS ?? 60);
const WARM_UP_SECONDS = Math.min(15, Math.max(1, Math.floor(SOAK_SECONDS / 4)));
const CONCURRENCY = 8;

type Operation = (server: ServerProcess) => Promise<Response>;

describe(`soak (${SOAK_SECONDS} s mixed load)`, () => {
  let database: TestDatabase;
  let server: ServerProcess;
  let client: { client_id: string; client_secret: string };
  let operations: Array<[string, Operation]>;

  before(async () => {
    database = await createTestDatabase('sqlite');
    const env = { LATCHKEY_DATABASE_URL: database.url, LATCHKEY_DATA_DIR: database.dir, LATCHKEY_SECRET: TEST_SECRET, LATCHKEY_RATE_LIMIT_PER_CLIENT: '0', LATCHKEY_RATE_LIMIT_PER_IP: '0' };
    server = await startServerProcess(env);
    const cli = async (...args: string[]) => JSON.parse((await run(process.execPath, [CLI_MAIN, ...args, '--json'], { env: server.env })).stdout);
    await cli('tenant', 'create', 'acme');
    client = await cli('client', 'create', '--tenant', 'acme', '--name', 'soak');
    const form = (params: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() });
    operations = [
      ['token', (s) => fetch(`${s.url}/oauth2/token`, form({ grant_type: 'client_credentials', ...client }))],
      ['token, wrong secret', (s) => fetch(`${s.url}/oauth2/token`, form({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: 'wrong' }))],
      ['discovery', (s) => fetch(`${s.url}/t/acme/.well-known/openid-configuration`)],
      ['jwks', (s) => fetch(`${s.url}/t/acme/jwks`)],
      ['unknown route', (s) => fetch(`${s.url}/nowhere`)],
    ];
  });
  after(async () => {
    await server?.stop();
    await database?.drop();
  });

  async function load(seconds: number, counts: Map<string, number>): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, worker) => {
        for (let i = worker; Date.now() < deadline; i++) {
          const [name, operation] = operations[i % operations.length]!;
          const response = await operation(server);
          await response.arrayBuffer();
          const key = `${name} ${response.status}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      }),
    );
  }

  it('answers no 5xx and keeps its memory flat', async () => {
    const counts = new Map<string, number>();
    await load(WARM_UP_SECONDS, counts);
    const afterWarmUp = await residentMemory(server.url);
    await load(SOAK_SECONDS - WARM_UP_SECONDS, counts);
    const atEnd = await residentMemory(server.url);
    const serverErrors = [...counts].filter(([key]) => / 5\d\d$/.test(key));
    assert.deepEqual(serverErrors, [], `5xx responses: ${JSON.stringify(Object.fromEntries(counts))}`);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    assert.ok(total > operations.length, 'the load ran');
    const growth = (atEnd - afterWarmUp) / afterWarmUp;
    assert.ok(growth <= 0.1, `RSS grew ${(growth * 100).toFixed(1)}% (${afterWarmUp} → ${atEnd}) over ${total} requests`);
  });
});
