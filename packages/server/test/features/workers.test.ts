/**
 * `latchkey serve --workers N` (issue 7): several worker processes share one port and one SQLite file (WAL,
 * busy timeout, BEGIN IMMEDIATE), a crashed worker is replaced while the others keep serving, and SIGTERM to
 * the primary drains in-flight requests before everything exits.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLatchkey } from '../../src/context.ts';
import type { Latchkey } from '../../src/context.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { createClient } from '../../src/directory/clients.ts';
import { createLogger } from '../../src/http/logger.ts';
import { createTestDatabase } from '../support/databases.ts';
import type { TestDatabase } from '../support/databases.ts';
import { freePort, TEST_SECRET } from '../support/server.ts';
import { isAlive, spawnLatchkey, startSlowPost } from '../support/process.ts';
import type { LatchkeyProcess, LogLine } from '../support/process.ts';
import { clientCredentials, fetchJwks, inParallel, verifyAccessToken } from '../support/tokens.ts';

const listeningPids = (logs: LogLine[]) => logs.filter((l) => l.msg === 'worker listening').map((l) => Number(l.pid));

describe('serve --workers 2 on SQLite', () => {
  let database: TestDatabase;
  let primary: LatchkeyProcess;
  let admin: Latchkey;
  let env: Record<string, string> & { PORT: string };
  let clientId: string;
  let clientSecret: string;
  let issuer: string;

  before(async () => {
    database = await createTestDatabase('sqlite');
    env = { PORT: String(await freePort()), HOST: '127.0.0.1', LATCHKEY_DATABASE_URL: database.url, LATCHKEY_DATA_DIR: database.dir, LATCHKEY_SECRET: TEST_SECRET };
    primary = await spawnLatchkey(['serve', '--workers', '2'], env);
    await primary.waitForLog((l) => l.msg === 'all workers listening', 'all workers listening');
    // A third process on the same file: the directory is written from here while the workers serve.
    admin = await createLatchkey(loadConfig({ ...env, LATCHKEY_LOG_LEVEL: 'silent' }), { logger: createLogger('silent') });
    const tenant = await createTenant(admin, { slug: 'acme' });
    const created = await createClient(admin, tenant, { name: 'agent' });
    clientId = created.client.clientId;
    clientSecret = created.clientSecret!;
    issuer = `${primary.url}/t/acme`;
  });
  after(async () => {
    await primary.stop();
    await admin.close();
    await database.drop();
  });

  it('serves concurrent token requests from both workers while another process writes to the same file', async () => {
    const tenant = (await admin.tenants.bySlug('acme'))!;
    const [responses] = await Promise.all([
      inParallel(40, 8, async () => {
        const response = await clientCredentials(primary.url, clientId, clientSecret);
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      }),
      inParallel(8, 4, (i) => createClient(admin, tenant, { name: `writer ${i}` })),
    ]);
    assert.deepEqual(responses.map((r) => r.status), responses.map(() => 200));
    const jwks = await fetchJwks(primary.url, 'acme');
    for (const { body } of responses) assert.equal((await verifyAccessToken(body.access_token as string, jwks, issuer)).client_id, clientId);
    assert.equal(listeningPids(primary.logs).length, 2);
  });

  it('replaces a worker killed with SIGKILL and keeps serving', async () => {
    const [victim, survivor] = listeningPids(primary.logs) as [number, number];
    const mark = primary.logs.length;
    process.kill(victim, 'SIGKILL');
    await primary.waitForLog((l) => l.msg === 'worker died; replacing it' && l.pid === victim, 'worker died', mark);
    const replacement = await primary.waitForLog((l) => l.msg === 'worker listening', 'replacement listening', mark);
    assert.notEqual(replacement.pid, victim);
    assert.ok(isAlive(survivor));
    const statuses = await inParallel(10, 5, async () => (await clientCredentials(primary.url, clientId, clientSecret)).status);
    assert.deepEqual(statuses, statuses.map(() => 200));
  });

  it('drains an in-flight request on SIGTERM, then the primary and every worker exit', async () => {
    const workers = listeningPids(primary.logs).filter(isAlive);
    const mark = primary.logs.length;
    const slow = startSlowPost(`${primary.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
    await primary.waitForLog((l) => l.msg === 'incoming request' && (l.req as { url?: string } | undefined)?.url === '/oauth2/token', 'the slow request arrived', mark);
    primary.child.kill('SIGTERM');
    await primary.waitForLog((l) => l.msg === 'shutting down: draining in-flight requests', 'a worker draining', mark);
    const { status, body } = await slow.finish();
    assert.equal(status, 200, body);
    const token = (JSON.parse(body) as { access_token: string }).access_token;
    assert.equal((await verifyAccessToken(token, await admin.signingKeys.jwks((await admin.tenants.bySlug('acme'))!.id), issuer)).client_id, clientId);
    const exit = await primary.exited;
    assert.equal(exit.code, 0);
    for (const pid of workers) assert.equal(isAlive(pid), false, `worker ${pid} is gone`);
  });
});
