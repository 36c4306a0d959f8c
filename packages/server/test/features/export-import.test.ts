/**
 * `latchkey export` / `latchkey import` (issue 7): a deployment moves from SQLite to PostgreSQL and keeps
 * working — the same clients (old secrets), users (password hashes), groups, roles, API keys, signing keys
 * (a token issued before the export verifies against the JWKS served after the import), refresh tokens and
 * sign-in with the old password — and exporting it
 * again gives the same rows. An import is refused, changing nothing, into a database that is not free for it
 * or under another LATCHKEY_SECRET. One tenant moves on its own into another deployment.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.ts';
import { createApiKey, authenticateApiKey } from '../../src/directory/api-keys.ts';
import { createClient } from '../../src/directory/clients.ts';
import { addMember, createGroup, nestGroup } from '../../src/directory/groups.ts';
import { createPartner } from '../../src/directory/partners.ts';
import { verifyPassword } from '../../src/directory/passwords.ts';
import { assignRoleToGroup, createRole } from '../../src/directory/roles.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { createUser } from '../../src/directory/users.ts';
import { createTestDatabase } from '../support/databases.ts';
import type { TestDatabase } from '../support/databases.ts';
import { startTestServer, TEST_SECRET } from '../support/server.ts';
import { startLoadBalancer } from '../support/instances.ts';
import type { LoadBalancer } from '../support/instances.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { signInForTokens } from '../support/sign-in.ts';
import { postForm } from '../support/http.ts';
import type { TestServer } from '../support/server.ts';
import { snapshotDatabase } from '../support/snapshot.ts';
import { clientCredentials, fetchJwks, verifyAccessToken } from '../support/tokens.ts';

/**
 * The public URL (the issuers' base) stays the same across the move: a front proxy of the test's own that
 * points at the SQLite deployment first and at the PostgreSQL one after the import, as DNS or a balancer would.
 */
let BASE_URL = '';
const front: string[] = [];
let frontProxy: LoadBalancer;
const PASSWORD = 'correct horse battery staple';

function envFor(database: TestDatabase, secret = TEST_SECRET): Record<string, string> {
  return { LATCHKEY_DATABASE_URL: database.url, LATCHKEY_DATA_DIR: database.dir, LATCHKEY_SECRET: secret, LATCHKEY_BASE_URL: BASE_URL, LATCHKEY_LOG_LEVEL: 'silent' };
}

async function cli(argv: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) }, env);
  return { code, stdout, stderr };
}

/** Each table's rows as sorted JSON strings: equal across databases whatever their collation. */
function rowsOf(file: string): Record<string, string[]> {
  const document = JSON.parse(readFileSync(file, 'utf8')) as { tables: Record<string, unknown[]> };
  return Object.fromEntries(Object.entries(document.tables).map(([table, rows]) => [table, rows.map((r) => JSON.stringify(r, Object.keys(r as object).sort())).sort()]));
}

describe('export from SQLite, import into PostgreSQL', () => {
  let source: TestServer;
  const cleanup: Array<() => Promise<void>> = [];
  let exportFile: string;
  let clientId: string;
  let clientSecret: string;
  let tokenBefore: string;
  let userId: string;
  let apiKey: string;
  let web: SignInFixture;
  let refreshBefore: string;

  before(async () => {
    frontProxy = await startLoadBalancer(front);
    BASE_URL = frontProxy.url;
    source = await startTestServer('sqlite', { LATCHKEY_BASE_URL: BASE_URL });
    front[0] = source.url;
    const { ctx } = source;
    const now = ctx.now();
    const partner = await createPartner(ctx.db, { slug: 'northwind' }, now);
    const acme = await createTenant(ctx, { slug: 'acme', partnerId: partner.id });
    await createTenant(ctx, { slug: 'beta' });
    const created = await createClient(ctx, acme, { name: 'agent' });
    clientId = created.client.clientId;
    clientSecret = created.clientSecret!;
    const user = await createUser(ctx, acme, { email: 'ada@example.com', password: PASSWORD });
    userId = user.id;
    const engineering = await createGroup(ctx.db, acme.id, { name: 'engineering' }, now);
    const platform = await createGroup(ctx.db, acme.id, { name: 'platform' }, now);
    await nestGroup(ctx.db, acme.id, platform.id, engineering.id, now);
    await addMember(ctx.db, acme.id, platform.id, user.id, now);
    const role = await createRole(ctx.db, acme.id, { name: 'mailer', permissions: ['mail.send'] }, now);
    await assignRoleToGroup(ctx.db, acme.id, engineering.id, role.id, now);
    apiKey = (await createApiKey(ctx.db, acme, { ownerUserId: user.id, name: 'ci' }, now)).key;
    // A token signed by the first key, then a rotation: the export carries the retired key and the new one.
    const response = await clientCredentials(source.url, clientId, clientSecret);
    tokenBefore = ((await response.json()) as { access_token: string }).access_token;
    await ctx.signingKeys.rotate(acme.id, 'RS256', 3600_000, 0);

    // A person signed in through a web app: their refresh token must survive the move.
    web = await createSignInFixture(source, 'web');
    const signedIn = await signInForTokens({ issuer: web.issuer, clientId: web.clientId, clientSecret: web.clientSecret, redirectUri: web.redirectUri, login: web.login, password: web.password });
    refreshBefore = signedIn.tokens.refresh_token as string;

    exportFile = join(source.database.dir, 'export.json');
    const exported = await cli(['export', '--output', exportFile, '--json'], envFor(source.database));
    assert.equal(exported.code, 0, exported.stderr);
    await source.close();
  });
  after(async () => {
    for (const step of cleanup.reverse()) await step();
    await frontProxy.close();
    await source.database.drop();
  });

  it('writes a versioned document with hashed secrets and encrypted private keys', () => {
    const text = readFileSync(exportFile, 'utf8');
    const document = JSON.parse(text) as { format: string; version: number; scope: { type: string }; tables: Record<string, Array<Record<string, unknown>>> };
    assert.equal(document.format, 'latchkey-export');
    assert.equal(document.version, 1);
    assert.equal(document.scope.type, 'deployment');
    assert.ok(!text.includes(clientSecret), 'no client secret');
    assert.ok(!text.includes(apiKey), 'no API key');
    assert.ok(!text.includes(PASSWORD), 'no password');
    assert.equal(document.tables.signing_keys!.length, 4);
    assert.equal(document.tables.refresh_tokens!.length, 1);
    for (const row of document.tables.refresh_tokens!) assert.match(String(row.token_hash), /^[0-9a-f]{64}$/);
    for (const key of document.tables.signing_keys!) assert.match(String(key.private_jwe), /^[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/, 'a compact dir JWE');
    assert.equal(document.tables.partners!.length, 1);
  });

  it('imports into an empty PostgreSQL database where the same clients, users, keys and tokens work', async () => {
    const target = await createTestDatabase('postgres');
    cleanup.push(() => target.drop());
    const imported = await cli(['import', exportFile, '--json'], envFor(target));
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal((JSON.parse(imported.stdout) as { rows: Record<string, number> }).rows.users, 4, 'two service accounts and two people');

    // Exported again from PostgreSQL, it is the same deployment row for row.
    const again = join(source.database.dir, 'again.json');
    assert.equal((await cli(['export', '--output', again], envFor(target))).code, 0);
    assert.deepEqual(rowsOf(again), rowsOf(exportFile));

    const server = await startTestServer('postgres', { LATCHKEY_BASE_URL: BASE_URL }, target);
    front[0] = server.url;
    cleanup.push(() => server.close());
    const issuer = `${BASE_URL}/t/acme`;
    // Ada signs in with her old password, and the refresh token issued before the export redeems once.
    const { tokens } = await signInForTokens({ issuer: web.issuer, clientId: web.clientId, clientSecret: web.clientSecret, redirectUri: web.redirectUri, login: web.login, password: web.password });
    assert.ok(tokens.access_token);
    const refresh = () => postForm(`${web.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: refreshBefore, client_id: web.clientId, client_secret: web.clientSecret });
    const first = await refresh();
    assert.equal(first.status, 200, 'a refresh token issued before the export redeems');
    const child = ((await first.json()) as { refresh_token: string }).refresh_token;
    // Once: presented again (within the reuse grace) it answers with the same successor, not a second one.
    const repeated = await refresh();
    assert.equal(repeated.status, 200);
    assert.equal(((await repeated.json()) as { refresh_token: string }).refresh_token, child, 'once');
    const jwks = await fetchJwks(server.url, 'acme');
    assert.equal((await verifyAccessToken(tokenBefore, jwks, issuer)).client_id, clientId, 'a token issued before the export verifies');
    const response = await clientCredentials(server.url, clientId, clientSecret);
    assert.equal(response.status, 200, 'the old client secret works');
    await verifyAccessToken(((await response.json()) as { access_token: string }).access_token, jwks, issuer);
    const user = await server.ctx.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
    assert.ok(await verifyPassword(PASSWORD, user.password_hash!), 'the password still verifies');
    const check = await authenticateApiKey(server.ctx, apiKey);
    assert.ok(check.ok, 'the API key still authenticates');
    assert.deepEqual(check.permissions, ['mail.send'], 'through the nested group and its role');

    // Importing the same deployment again is refused and changes nothing.
    const before = await snapshotDatabase(server.ctx.db, 'postgres');
    const refused = await cli(['import', exportFile], envFor(target));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /already holds tenants/);
    assert.deepEqual(await snapshotDatabase(server.ctx.db, 'postgres'), before);
    await server.close();
  });

  it('refuses an import under another LATCHKEY_SECRET, importing nothing', async () => {
    const target = await createTestDatabase('sqlite');
    cleanup.push(() => target.drop());
    const refused = await cli(['import', exportFile], envFor(target, 'another-master-secret-that-is-long-enough-000'));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /cannot open the exported signing keys/);
    const listed = await cli(['tenant', 'list', '--json'], envFor(target, 'another-master-secret-that-is-long-enough-000'));
    assert.deepEqual(JSON.parse(listed.stdout), []);
  });

  it('refuses a file that is not an export', async () => {
    const target = await createTestDatabase('sqlite');
    cleanup.push(() => target.drop());
    const file = join(target.dir, 'not-an-export.json');
    (await import('node:fs')).writeFileSync(file, JSON.stringify({ format: 'something-else', tables: {} }));
    const refused = await cli(['import', file], envFor(target));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not a Latchkey export/);
  });

  it('moves one tenant into another deployment, and only that tenant', async () => {
    const tenantFile = join(source.database.dir, 'acme.json');
    const exported = await cli(['export', '--tenant', 'acme', '--output', tenantFile, '--json'], envFor(source.database));
    assert.equal(exported.code, 0, exported.stderr);
    const summary = JSON.parse(exported.stdout) as { scope: { tenant: string }; omitted: string[] };
    assert.equal(summary.scope.tenant, 'acme');
    assert.ok(summary.omitted.includes('revoked_access_tokens'));
    const document = JSON.parse(readFileSync(tenantFile, 'utf8')) as { tables: Record<string, Array<Record<string, unknown>>> };
    assert.deepEqual(document.tables.tenants!.map((t) => t.slug), ['acme']);
    assert.equal(document.tables.group_parents!.length, 1);
    assert.equal(document.tables.group_members!.length, 1);

    const target = await createTestDatabase('postgres');
    cleanup.push(() => target.drop());
    assert.equal((await cli(['tenant', 'create', 'other'], envFor(target))).code, 0);
    const imported = await cli(['import', tenantFile], envFor(target));
    assert.equal(imported.code, 0, imported.stderr);
    const server = await startTestServer('postgres', { LATCHKEY_BASE_URL: BASE_URL }, target);
    front[0] = server.url;
    cleanup.push(() => server.close());
    const response = await clientCredentials(server.url, clientId, clientSecret);
    assert.equal(response.status, 200);
    await verifyAccessToken(tokenBefore, await fetchJwks(server.url, 'acme'), `${BASE_URL}/t/acme`);
    assert.equal((await fetch(`${server.url}/t/beta/jwks`)).status, 404, 'the other tenant stayed behind');
    const twice = await cli(['import', tenantFile], envFor(target));
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /already exists/);
  });
});
