/**
 * `latchkey admin bootstrap` (issue 19): a one-time console link while no super admin exists (bound to an email
 * when given one), refused once one does; the link's token is stored only as a hash.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { runCli } from '../../../src/cli/main.ts';
import { createTestDatabase } from '../../support/databases.ts';
import type { TestDatabase } from '../../support/databases.ts';
import { TEST_SECRET } from '../../support/server.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { createLatchkey } from '../../../src/context.ts';
import { redeemBootstrap } from '../../../src/directory/bootstrap.ts';

describe('latchkey admin bootstrap', () => {
  let database: TestDatabase;
  let env: Record<string, string>;

  async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, env);
    return { code, stdout, stderr };
  }

  before(async () => {
    database = await createTestDatabase('sqlite');
    env = { LATCHKEY_DATABASE_URL: database.url, LATCHKEY_DATA_DIR: database.dir, LATCHKEY_SECRET: TEST_SECRET, LATCHKEY_BASE_URL: 'https://id.example.com', LATCHKEY_LOG_LEVEL: 'silent' };
  });
  after(() => database.drop());

  it('prints a one-time link bound to the email, stores only its hash, and refuses once a super admin exists', async () => {
    const made = await cli('admin', 'bootstrap', '--email', 'ops@example.com', '--json');
    assert.equal(made.code, 0, made.stderr);
    const { link } = JSON.parse(made.stdout) as { link: string };
    assert.match(link, /^https:\/\/id\.example\.com\/console\/#\/bootstrap\/[A-Za-z0-9_-]{43}$/);
    const token = link.slice(link.lastIndexOf('/') + 1);
    const ctx = await createLatchkey(loadConfig(env));
    try {
      const rows = await ctx.db.selectFrom('bootstrap_tokens').selectAll().execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.token_hash, createHash('sha256').update(token).digest('hex'));
      assert.equal(rows[0]!.email, 'ops@example.com');
      const user = await redeemBootstrap(ctx, { token, email: 'OPS@example.com', password: 'correct horse battery staple' }, null);
      assert.equal(user.admin_role, 'super_admin');
    } finally {
      await ctx.close();
    }
    const again = await cli('admin', 'bootstrap');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /a super admin already exists/);
    assert.equal((await cli('admin', 'bootstrap', '--email', 'not-an-email')).code !== 0, true);
  });
});
