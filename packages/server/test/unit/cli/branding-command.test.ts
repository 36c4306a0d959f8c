/**
 * `latchkey branding`: the same validation as the admin API (a refused brand exits 1 naming the field and
 * changes nothing), a partner's brand inherited by its tenants, and the `cli` actor in the audit log.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../../src/cli/main.ts';
import { createTestDatabase, DIALECTS } from '../../support/databases.ts';
import type { TestDatabase } from '../../support/databases.ts';
import { TEST_SECRET } from '../../support/server.ts';

for (const dialect of DIALECTS) {
  describe(`latchkey branding (${dialect})`, () => {
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
    async function cliJson(...argv: string[]): Promise<Record<string, Record<string, unknown>>> {
      const result = await cli(...argv, '--json');
      assert.equal(result.code, 0, `${argv.join(' ')}: ${result.stderr}`);
      return JSON.parse(result.stdout) as Record<string, Record<string, unknown>>;
    }

    it('sets, refuses, inherits and clears brands', async () => {
      const partner = await cliJson('partner', 'create', 'msp', '--name', 'MSP');
      await cliJson('tenant', 'create', 'acme', '--partner', String(partner.id));
      await cliJson('branding', 'set', '--partner', String(partner.id), '--display-name', 'MSP Cloud', '--primary-color', '#581c87');
      const set = await cliJson('branding', 'set', '--tenant', 'acme', '--accent-color', '#9a3412', '--custom-css=--lk-radius: 4px');
      assert.deepEqual(set.brand, { accent_color: '#9a3412', custom_css: '--lk-radius: 4px;' });
      assert.deepEqual(set.effective, { display_name: 'MSP Cloud', primary_color: '#581c87', accent_color: '#9a3412', custom_css: '--lk-radius: 4px;' });

      const refused = await cli('branding', 'set', '--tenant', 'acme', '--primary-color', '#fef9c3');
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /primary_color: white button text \(#ffffff\) on primary_color #fef9c3 has a contrast of/);
      const injected = await cli('branding', 'set', '--tenant', 'acme', '--from-json', '{"custom_css":"--lk-radius: 1px;}</style><script>alert(1)</script>"}');
      assert.equal(injected.code, 1);
      assert.match(injected.stderr, /custom_css/);
      assert.deepEqual((await cliJson('branding', 'show', '--tenant', 'acme')).brand, set.brand, 'nothing changed');

      const usage = await cli('branding', 'set', '--primary-color', '#000000');
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /exactly one of --tenant or --partner/);

      const cleared = await cliJson('branding', 'clear', '--tenant', 'acme');
      assert.deepEqual(cleared.brand, {});
      assert.deepEqual(cleared.effective, { display_name: 'MSP Cloud', primary_color: '#581c87' });
      const audit = await cli('audit', 'tail', '--tenant', 'acme', '--json');
      assert.match(audit.stdout, /tenant\.branding\.update/);
    });
  });
}
