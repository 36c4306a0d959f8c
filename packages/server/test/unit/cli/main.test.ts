/**
 * The latchkey command: --json output of what it creates, clear messages and non-zero exits on bad arguments.
 * Each test makes what it needs (the `base` tenant comes from `before`), so any one runs alone.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../../src/cli/main.ts';
import { createTestDatabase } from '../../support/databases.ts';
import type { TestDatabase } from '../../support/databases.ts';
import { TEST_SECRET } from '../../support/server.ts';

describe('latchkey CLI', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  before(async () => {
    database = await createTestDatabase('sqlite');
    env = { LATCHKEY_DATABASE_URL: database.url, LATCHKEY_DATA_DIR: database.dir, LATCHKEY_SECRET: TEST_SECRET, LATCHKEY_BASE_URL: 'https://id.example.com', LATCHKEY_LOG_LEVEL: 'silent' };
    assert.equal((await cli('tenant', 'create', 'base')).code, 0);
  });
  after(() => database.drop());

  async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, env);
    return { code, stdout, stderr };
  }

  it('creates a tenant and prints it with its issuer', async () => {
    const { code, stdout } = await cli('tenant', 'create', 'acme', '--name', 'Acme Corp', '--json');
    assert.equal(code, 0);
    const tenant = JSON.parse(stdout);
    assert.equal(tenant.slug, 'acme');
    assert.equal(tenant.name, 'Acme Corp');
    assert.equal(tenant.issuer, 'https://id.example.com/t/acme');
    assert.equal(tenant.settings.features.auth.password_grant_enabled, false);
  });

  it('creates a client, shows its secret once, lists it without the secret and rotates the secret', async () => {
    assert.equal((await cli('tenant', 'create', 'agents')).code, 0);
    const created = await cli('client', 'create', '--tenant', 'agents', '--name', 'agent', '--scope', 'openid api:read', '--json');
    assert.equal(created.code, 0);
    const client = JSON.parse(created.stdout);
    assert.match(client.client_id, /^[0-9a-z]{32}$/);
    assert.ok(client.client_secret.length >= 43, 'at least 256 bits, base64url');
    assert.deepEqual(client.scopes, ['openid', 'api:read']);
    assert.deepEqual(client.grant_types, ['client_credentials']);

    const listed = JSON.parse((await cli('client', 'list', '--tenant', 'agents', '--json')).stdout);
    assert.equal(listed.length, 1);
    assert.equal(listed[0].client_id, client.client_id);
    assert.equal(listed[0].client_secret, undefined);

    const rotated = JSON.parse((await cli('client', 'rotate-secret', client.client_id, '--json')).stdout);
    assert.ok(rotated.client_secret && rotated.client_secret !== client.client_secret);
  });

  it('creates a public client with redirect URIs', async () => {
    const { code, stdout } = await cli('client', 'create', '--tenant', 'base', '--name', 'spa', '--public', '--redirect-uri', 'https://app.example.com/cb', '--json');
    assert.equal(code, 0);
    const client = JSON.parse(stdout);
    assert.equal(client.type, 'public');
    assert.equal(client.client_secret, undefined);
    assert.deepEqual(client.grant_types, ['authorization_code', 'refresh_token']);
  });

  it('lists tenants and rotates keys', async () => {
    assert.equal((await cli('tenant', 'create', 'listed')).code, 0);
    const tenants = JSON.parse((await cli('tenant', 'list', '--json')).stdout);
    const slugs = tenants.map((t: { slug: string }) => t.slug);
    assert.ok(slugs.includes('listed') && slugs.includes('base'), JSON.stringify(slugs));
    assert.equal(new Set(slugs).size, slugs.length);
    const rotation = await cli('keys', 'rotate', '--tenant', 'listed', '--json');
    assert.equal(rotation.code, 0);
    assert.match(JSON.parse(rotation.stdout).kid, /^key_/);
  });

  const refusals: Array<[string, string[], number, RegExp]> = [
    ['no command', [], 2, /usage/],
    ['an unknown command', ['frobnicate'], 2, /unknown command/],
    ['an unknown option', ['tenant', 'create', 'x1', '--colour', 'red'], 2, /colour/],
    ['a missing slug', ['tenant', 'create'], 2, /slug is required/],
    ['a bad slug', ['tenant', 'create', 'Not A Slug!'], 1, /slug must be/],
    ['a duplicate tenant', ['tenant', 'create', 'base'], 1, /already exists/],
    ['a missing --tenant', ['client', 'create', '--name', 'x'], 2, /--tenant is required/],
    ['an unknown tenant', ['client', 'create', '--tenant', 'nobody', '--name', 'x'], 1, /no tenant/],
    ['an unsupported grant', ['client', 'create', '--tenant', 'base', '--name', 'x', '--grant', 'implicit'], 1, /not supported/],
    ['a redirect URI with a fragment', ['client', 'create', '--tenant', 'base', '--name', 'x', '--redirect-uri', 'https://a.example/cb#x'], 1, /fragment/],
    ['a public client on client_credentials', ['client', 'create', '--tenant', 'base', '--name', 'x', '--public', '--grant', 'client_credentials'], 1, /public client/],
    ['an unknown client to rotate', ['client', 'rotate-secret', 'nope'], 1, /no client/],
    ['a bad --activate-in', ['keys', 'rotate', '--tenant', 'base', '--activate-in', 'soon'], 2, /activate-in/],
  ];
  for (const [name, argv, expectedCode, message] of refusals) {
    it(`refuses ${name} with exit code ${expectedCode} and a clear message`, async () => {
      const { code, stderr, stdout } = await cli(...argv);
      assert.equal(code, expectedCode);
      assert.match(stderr + stdout, message);
    });
  }
});
