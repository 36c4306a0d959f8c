/**
 * `latchkey resource …` and `latchkey registration …` (issue 20): API resources, client grants, token exchange
 * policies and initial access tokens from the command line, with the same checks and audit trail as the admin
 * API (SQLite and PostgreSQL).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../src/cli/main.ts';
import { createTestDatabase, DIALECTS } from '../support/databases.ts';
import type { TestDatabase } from '../support/databases.ts';
import { TEST_SECRET } from '../support/server.ts';
import { openDatabase } from '../../src/db/database.ts';
import { hashSecret } from '../../src/tokens/opaque.ts';

for (const dialect of DIALECTS) {
  describe(`latchkey resource and registration (${dialect})`, () => {
    let database: TestDatabase;
    let env: Record<string, string>;
    let clientId: string;

    async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      let stdout = '';
      let stderr = '';
      const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, env);
      return { code, stdout, stderr };
    }

    before(async () => {
      database = await createTestDatabase(dialect);
      env = { LATCHKEY_DATABASE_URL: database.url, LATCHKEY_DATA_DIR: database.dir, LATCHKEY_SECRET: TEST_SECRET, LATCHKEY_LOG_LEVEL: 'silent' };
      assert.equal((await cli('tenant', 'create', 'acme')).code, 0);
      const client = await cli('client', 'create', '--tenant', 'acme', '--name', 'gateway', '--grant', 'client_credentials', '--grant', 'urn:ietf:params:oauth:grant-type:token-exchange', '--json');
      assert.equal(client.code, 0, client.stderr);
      clientId = (JSON.parse(client.stdout) as { client_id: string }).client_id;
    });
    after(() => database.drop());

    it('creates, grants, updates and deletes an API resource', async () => {
      const created = await cli('resource', 'create', '--tenant', 'acme', '--identifier', 'https://mail.example.com/api', '--name', 'Mail', '--scope', 'mail.read', '--scope', 'mail.send', '--token-lifetime', '300', '--json');
      assert.equal(created.code, 0, created.stderr);
      assert.deepEqual((JSON.parse(created.stdout) as { scopes: string[] }).scopes, ['mail.read', 'mail.send']);
      assert.equal((await cli('resource', 'create', '--tenant', 'acme', '--identifier', 'https://mail.example.com/api')).code, 1, 'a duplicate identifier is refused');
      assert.equal((await cli('resource', 'create', '--tenant', 'acme', '--identifier', 'not a uri')).code, 1);
      const granted = await cli('resource', 'grant', '--tenant', 'acme', '--resource', 'https://mail.example.com/api', '--client', clientId, '--json');
      assert.equal(granted.code, 0, granted.stderr);
      assert.deepEqual((JSON.parse(granted.stdout) as { client_ids: string[] }).client_ids, [clientId]);
      const updated = await cli('resource', 'update', '--tenant', 'acme', '--resource', 'https://mail.example.com/api', '--all-clients', '--token-lifetime', 'default', '--json');
      assert.equal(updated.code, 0, updated.stderr);
      const body = JSON.parse(updated.stdout) as { all_clients: boolean; token_lifetime: number | null };
      assert.equal(body.all_clients, true);
      assert.equal(body.token_lifetime, null);
      const listed = JSON.parse((await cli('resource', 'list', '--tenant', 'acme', '--json')).stdout) as unknown[];
      assert.equal(listed.length, 1);
      assert.equal((await cli('resource', 'delete', '--tenant', 'acme', '--resource', 'https://mail.example.com/api')).code, 0);
      assert.equal((JSON.parse((await cli('resource', 'list', '--tenant', 'acme', '--json')).stdout) as unknown[]).length, 0);
      const { db } = openDatabase(database.url);
      try {
        const actions = (await db.selectFrom('audit_events').select('action').where('action', 'like', 'api_resource.%').execute()).map((r) => r.action).sort();
        assert.deepEqual(actions, ['api_resource.client.grant', 'api_resource.create', 'api_resource.delete', 'api_resource.update']);
      } finally {
        await db.destroy();
      }
    });

    it('shows and sets a client\'s token exchange policy', async () => {
      const shown = JSON.parse((await cli('resource', 'exchange-policy', '--tenant', 'acme', '--client', clientId, '--json')).stdout) as { impersonation: boolean; max_lifetime: number };
      assert.equal(shown.impersonation, false);
      assert.equal(shown.max_lifetime, 900);
      const set = await cli('resource', 'exchange-policy', '--tenant', 'acme', '--client', clientId, '--impersonation', '--max-lifetime', '300', '--subject', 'access_token', '--json');
      assert.equal(set.code, 0, set.stderr);
      assert.deepEqual(JSON.parse(set.stdout), { subject_token_types: ['access_token'], resources: null, impersonation: true, max_lifetime: 300 });
      assert.equal((await cli('resource', 'exchange-policy', '--tenant', 'acme', '--client', clientId, '--max-lifetime', '0')).code, 1);
    });

    it('issues, lists and revokes initial access tokens, stored only as hashes', async () => {
      const created = await cli('registration', 'token-create', '--tenant', 'acme', '--name', 'partner', '--single-use', '--expires-in', '3600', '--json');
      assert.equal(created.code, 0, created.stderr);
      const token = JSON.parse(created.stdout) as { id: string; token: string; single_use: boolean };
      assert.match(token.token, /^lkiat_/);
      assert.equal(token.single_use, true);
      const listed = JSON.parse((await cli('registration', 'token-list', '--tenant', 'acme', '--json')).stdout) as Array<Record<string, unknown>>;
      assert.equal(listed.length, 1);
      assert.equal(listed[0]!.token, undefined);
      const { db } = openDatabase(database.url);
      try {
        const row = await db.selectFrom('initial_access_tokens').selectAll().executeTakeFirstOrThrow();
        assert.equal(row.token_hash, hashSecret(token.token));
      } finally {
        await db.destroy();
      }
      const revoked = JSON.parse((await cli('registration', 'token-revoke', '--tenant', 'acme', '--id', token.id, '--json')).stdout) as { revoked_at: string | null };
      assert.ok(revoked.revoked_at);
      assert.equal((await cli('registration', 'nonsense', '--tenant', 'acme')).code, 2);
    });
  });
}
