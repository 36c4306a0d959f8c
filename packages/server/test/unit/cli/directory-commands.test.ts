/**
 * The directory nouns of the latchkey command (partner, tenant under a partner, group, role, apikey, admin grant, audit tail): each
 * prints --json, refuses what the directory refuses (a cycle, more than the owner holds) with exit code 1,
 * and leaves an audit trail with the `cli` actor. Each test makes its own tenant, so any one runs alone.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../../src/cli/main.ts';
import { createTestDatabase, DIALECTS } from '../../support/databases.ts';
import type { TestDatabase } from '../../support/databases.ts';
import { TEST_SECRET } from '../../support/server.ts';

for (const dialect of DIALECTS) {
  describe(`latchkey directory commands (${dialect})`, () => {
    let database: TestDatabase;
    let env: Record<string, string>;
    before(async () => {
      database = await createTestDatabase(dialect);
      env = { LATCHKEY_DATABASE_URL: database.url, LATCHKEY_DATA_DIR: database.dir, LATCHKEY_SECRET: TEST_SECRET, LATCHKEY_BASE_URL: 'https://id.example.com', LATCHKEY_LOG_LEVEL: 'silent' };
    });
    after(() => database.drop());

    async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      let stdout = '';
      let stderr = '';
      const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, env);
      return { code, stdout, stderr };
    }
    async function cliJson(...argv: string[]): Promise<Record<string, unknown>> {
      const result = await cli(...argv, '--json');
      assert.equal(result.code, 0, `${argv.join(' ')}: ${result.stderr}`);
      return JSON.parse(result.stdout) as Record<string, unknown>;
    }

    it('builds nested groups and roles, resolves the union into an API key, and refuses a cycle', async () => {
      const partner = await cliJson('partner', 'create', 'msp', '--name', 'MSP');
      assert.match(String(partner.id), /^ptn_/);
      assert.equal(((await cli('partner', 'list', '--json')).stdout.match(/"slug": "msp"/g) ?? []).length, 1);
      await cliJson('tenant', 'create', 'acme');
      const client = await cliJson('client', 'create', '--tenant', 'acme', '--name', 'agent');
      await cliJson('group', 'create', '--tenant', 'acme', '--name', 'staff');
      await cliJson('group', 'create', '--tenant', 'acme', '--name', 'devs');
      await cliJson('group', 'nest', '--tenant', 'acme', '--group', 'devs', '--parent', 'staff');
      const cycle = await cli('group', 'nest', '--tenant', 'acme', '--group', 'staff', '--parent', 'devs');
      assert.equal(cycle.code, 1);
      assert.match(cycle.stderr, /cycle/);
      const role = await cliJson('role', 'create', '--tenant', 'acme', '--name', 'sender', '--permission', 'mail.send', '--permission', 'templates.read');
      assert.deepEqual(role.permissions, ['mail.send', 'templates.read']);
      await cliJson('role', 'assign', '--tenant', 'acme', '--role', 'sender', '--group', 'staff');
      await cliJson('group', 'add-member', '--tenant', 'acme', '--group', 'devs', '--user', String(client.client_id));

      const tooMuch = await cli('apikey', 'create', '--tenant', 'acme', '--owner', String(client.client_id), '--permission', 'billing.admin');
      assert.equal(tooMuch.code, 1);
      const key = await cliJson('apikey', 'create', '--tenant', 'acme', '--owner', String(client.client_id), '--permission', 'mail.send', '--expires-in', '3600');
      assert.match(String(key.key), /^sg_live_/);
      assert.equal(key.owner_user_id, client.service_account_id);
      const listed = JSON.parse((await cli('apikey', 'list', '--tenant', 'acme', '--json')).stdout) as Array<Record<string, unknown>>;
      assert.equal(listed.length, 1);
      assert.equal(listed[0]!.key, undefined);
      const revoked = await cliJson('apikey', 'revoke', '--tenant', 'acme', String(key.id));
      assert.equal(typeof revoked.revoked_at, 'string');
      assert.equal((await cli('group', 'create', '--tenant', 'acme')).code, 2);
    });

    it('grants and revokes admin roles, and tails the audit log', async () => {
      await cliJson('tenant', 'create', 'ops');
      await cliJson('group', 'create', '--tenant', 'ops', '--name', 'staff');
      await cliJson('group', 'create', '--tenant', 'ops', '--name', 'devs');
      await cliJson('group', 'nest', '--tenant', 'ops', '--group', 'devs', '--parent', 'staff');
      const bot = await cliJson('client', 'create', '--tenant', 'ops', '--name', 'ops-bot');
      const granted = await cliJson('admin', 'grant', '--tenant', 'ops', '--user', String(bot.client_id), '--role', 'super_admin');
      assert.equal(granted.admin_role, 'super_admin');
      assert.equal(granted.id, bot.service_account_id);
      assert.equal((await cli('admin', 'grant', '--tenant', 'ops', '--user', String(granted.id), '--role', 'root')).code, 2);
      const revoked = await cliJson('admin', 'revoke', '--tenant', 'ops', '--user', String(granted.id));
      assert.equal(revoked.admin_role, null);

      const tail = await cli('audit', 'tail', '--tenant', 'ops', '--lines', '3', '--json');
      assert.equal(tail.code, 0);
      const events = tail.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.deepEqual(events.map((e) => e.action), ['group.nest', 'admin.grant', 'admin.revoke']);
      assert.ok(events.every((e) => e.actor_type === 'cli'));
      const rotated = await cliJson('keys', 'rotate', '--tenant', 'ops');
      const rotation = JSON.parse((await cli('audit', 'tail', '--tenant', 'ops', '--action', 'signing_key.rotate', '--lines', '1', '--json')).stdout) as Record<string, unknown>;
      assert.equal(rotation.target_id, rotated.kid);
      const human = await cli('audit', 'tail', '--tenant', 'ops', '--action', 'group.nest');
      assert.match(human.stdout, /group\.nest actor=cli:-/);
    });

    it('creates a tenant under a partner with --partner, as the admin API can, and refuses an unknown partner', async () => {
      const partner = await cliJson('partner', 'create', 'resellers');
      const tenant = await cliJson('tenant', 'create', 'globex', '--name', 'Globex', '--partner', String(partner.id));
      assert.equal(tenant.partner_id, partner.id);
      assert.equal(tenant.issuer, 'https://id.example.com/t/globex');
      const created = JSON.parse((await cli('audit', 'tail', '--action', 'tenant.create', '--lines', '1', '--json')).stdout) as Record<string, unknown>;
      assert.deepEqual([created.target_id, created.actor_type], [tenant.id, 'cli']);
      // The partner owns a tenant now, so it cannot be deleted.
      assert.equal((await cli('partner', 'delete', String(partner.id))).code, 1);

      const unknown = await cli('tenant', 'create', 'initech', '--partner', 'ptn_no_such_partner');
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /no such partner/);
      const tenants = JSON.parse((await cli('tenant', 'list', '--json')).stdout) as Array<{ slug: string; partner_id: string | null }>;
      assert.deepEqual(tenants.filter((t) => t.slug === 'initech'), []);
      await cliJson('tenant', 'create', 'independent');
      assert.equal((JSON.parse((await cli('tenant', 'list', '--json')).stdout) as Array<{ slug: string; partner_id: string | null }>).find((t) => t.slug === 'independent')?.partner_id, null);
      assert.equal((await cli('tenant', 'create', 'initech', '--partner')).code, 2);
    });
  });
}
