/** `latchkey user …`: create people who can sign in, list them, set passwords, disable them (SQLite and PostgreSQL). */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../src/cli/main.ts';
import { createTestDatabase, DIALECTS } from '../support/databases.ts';
import type { TestDatabase } from '../support/databases.ts';
import { TEST_SECRET } from '../support/server.ts';
import { openDatabase } from '../../src/db/database.ts';
import { verifyPassword } from '../../src/directory/passwords.ts';

for (const dialect of DIALECTS) {
  describe(`latchkey user (${dialect})`, () => {
    let database: TestDatabase;
    let env: Record<string, string>;

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
    });
    after(() => database.drop());

    it('creates, lists, re-passwords and disables a user', async () => {
      const created = await cli('user', 'create', '--tenant', 'acme', '--email', 'Ada@Example.com', '--password', 'a long password', '--username', 'ada', '--first-name', 'Ada', '--last-name', 'Lovelace', '--json');
      assert.equal(created.code, 0, created.stderr);
      const user = JSON.parse(created.stdout) as Record<string, unknown>;
      assert.equal(user.email, 'Ada@Example.com');
      assert.equal(user.display_name, 'Ada Lovelace');
      assert.equal(user.status, 'active');
      assert.equal(user.has_password, true);
      assert.ok(!created.stdout.includes('a long password') && !created.stdout.includes('argon2'));

      const duplicate = await cli('user', 'create', '--tenant', 'acme', '--email', 'ada@example.com', '--password', 'another password');
      assert.equal(duplicate.code, 1);
      assert.match(duplicate.stderr, /already exists/);
      const weak = await cli('user', 'create', '--tenant', 'acme', '--email', 'bo@example.com', '--password', 'short');
      assert.equal(weak.code, 1);

      const listed = JSON.parse((await cli('user', 'list', '--tenant', 'acme', '--json')).stdout) as Array<Record<string, unknown>>;
      assert.deepEqual(listed.map((u) => u.email), ['Ada@Example.com']);

      assert.equal((await cli('user', 'set-password', '--tenant', 'acme', 'ADA@example.com', '--password', 'a newer password')).code, 0);
      const { db } = openDatabase(database.url);
      try {
        const row = await db.selectFrom('users').select('password_hash').where('id', '=', String(user.id)).executeTakeFirstOrThrow();
        assert.equal(await verifyPassword('a newer password', row.password_hash!), true);
        assert.equal(await verifyPassword('a long password', row.password_hash!), false);
      } finally {
        await db.destroy();
      }
      const disabled = await cli('user', 'disable', '--tenant', 'acme', 'ada', '--json');
      assert.equal(disabled.code, 0);
      assert.equal((JSON.parse(disabled.stdout) as Record<string, unknown>).status, 'disabled');
      assert.equal((await cli('user', 'disable', '--tenant', 'acme', 'nobody')).code, 2);
      assert.equal((await cli('user', 'create', '--tenant', 'acme')).code, 2);
    });
  });
}
