/**
 * `latchkey serve --workers N` (issue 7): several worker processes share one port and one SQLite file (WAL,
 * busy timeout, BEGIN IMMEDIATE) — concurrent writes from the workers and the CLI stay correct, a refresh
 * token raced over the workers is rotated exactly once — a crashed worker is replaced while the others keep serving, and SIGTERM to
 * the primary drains in-flight requests before everything exits.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLatchkey } from '../../src/context.ts';
import type { Latchkey } from '../../src/context.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { createClient } from '../../src/directory/clients.ts';
import { createLogger } from '../../src/http/logger.ts';
import { createTestDatabase } from '../support/databases.ts';
import type { TestDatabase } from '../support/databases.ts';
import { freePort, TEST_SECRET } from '../support/server.ts';
import { arrived, isAlive, spawnLatchkey, startSlowPost } from '../support/process.ts';
import type { LatchkeyProcess, LogLine } from '../support/process.ts';
import { clientCredentials, fetchJwks, inParallel, verifyAccessToken } from '../support/tokens.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import { signInForTokens } from '../support/sign-in.ts';
import { postForm } from '../support/http.ts';
import type { RunningServer } from '../../src/server.ts';

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
    // A scrape reaches one worker but reports the whole machine: both workers' tokens, summed.
    const metrics = await (await fetch(`${primary.url}/metrics`)).text();
    assert.match(metrics, /^latchkey_tokens_issued_total\{grant_type="client_credentials"\} 40$/m);
  });

  it('with reuse_grace 0, lets exactly one of 50 concurrent uses of a refresh token win across the workers (one SQLite file)', async () => {
    const fixture = await createSignInFixture({ ctx: admin } as RunningServer, 'web', { settings: { reuse_grace: 0 } });
    const { tokens } = await signInForTokens({ issuer: fixture.issuer, clientId: fixture.clientId, clientSecret: fixture.clientSecret, redirectUri: fixture.redirectUri, login: fixture.login, password: fixture.password });
    const responses = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const response = await postForm(`${fixture.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string, client_id: fixture.clientId, client_secret: fixture.clientSecret });
        return { status: response.status, error: ((await response.json()) as { error?: string }).error };
      }),
    );
    assert.equal(responses.filter((r) => r.status === 200).length, 1, `statuses: ${responses.map((r) => r.status).join(',')}`);
    for (const loser of responses.filter((r) => r.status !== 200)) assert.deepEqual(loser, { status: 400, error: 'invalid_grant' });
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
    await primary.waitForLog(arrived(slow), 'the slow request arrived', mark);
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

describe('serve refuses to run a deployment it cannot serve', () => {
  let database: TestDatabase;
  let env: Record<string, string> & { PORT: string };
  before(async () => {
    database = await createTestDatabase('sqlite');
    env = { PORT: String(await freePort()), HOST: '127.0.0.1', LATCHKEY_DATABASE_URL: database.url, LATCHKEY_DATA_DIR: database.dir, LATCHKEY_SECRET: TEST_SECRET };
    const admin = await createLatchkey(loadConfig({ ...env, LATCHKEY_LOG_LEVEL: 'silent' }), { logger: createLogger('silent') });
    await createTenant(admin, { slug: 'acme' });
    await admin.close();
  });
  after(() => database.drop());

  for (const workers of ['1', '2']) {
    it(`exits with a clear error when LATCHKEY_SECRET cannot open the stored signing keys (--workers ${workers})`, async () => {
      const child = await spawnLatchkey(['serve', '--workers', workers], { ...env, LATCHKEY_SECRET: 'a-different-master-secret-of-enough-length-42' });
      const { code } = await child.exited;
      assert.equal(code, 2);
      assert.match(child.stderr(), /LATCHKEY_SECRET does not open the signing keys stored in this database/);
    });
  }

  it('gives up instead of restarting workers forever when none of them can listen', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(Number(env.PORT), '127.0.0.1', resolve));
    try {
      const child = await spawnLatchkey(['serve', '--workers', '3'], env);
      try {
        await child.waitForLog((l) => l.msg === 'workers keep failing before they serve; giving up', 'giving up');
        assert.equal((await child.exited).code, 1);
      } finally {
        await child.stop();
      }
    } finally {
      taken.close();
    }
  });
});
