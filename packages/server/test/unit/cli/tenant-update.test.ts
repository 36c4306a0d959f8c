/**
 * `latchkey tenant update <slug> --set <setting>=<value>…` (issue 14.9: turning on the password grant needed a raw
 * admin API call). The settings go through the directory's validation, as `PATCH /admin/v1/tenants/…` does: a bad
 * value exits 2 with the directory's message and changes nothing, and every change leaves a `cli` audit event.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../../src/cli/main.ts';
import { createTestDatabase, DIALECTS } from '../../support/databases.ts';
import type { TestDatabase } from '../../support/databases.ts';
import { TEST_SECRET } from '../../support/server.ts';
import { DEFAULT_TENANT_SETTINGS } from '../../../src/directory/tenant-settings.ts';

for (const dialect of DIALECTS) {
  describe(`latchkey tenant update (${dialect})`, () => {
    let database: TestDatabase;
    let env: Record<string, string>;
    before(async () => {
      database = await createTestDatabase(dialect);
      env = { LATCHKEY_DATABASE_URL: database.url, LATCHKEY_DATA_DIR: database.dir, LATCHKEY_SECRET: TEST_SECRET, LATCHKEY_LOG_LEVEL: 'silent' };
      assert.equal((await cli('tenant', 'create', 'acme')).code, 0);
    });
    after(() => database.drop());

    async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      let stdout = '';
      let stderr = '';
      const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, env);
      return { code, stdout, stderr };
    }
    async function acme(): Promise<Record<string, unknown>> {
      const tenants = JSON.parse((await cli('tenant', 'list', '--json')).stdout) as Array<Record<string, unknown>>;
      return tenants.find((t) => t.slug === 'acme')!;
    }

    it('turns the password grant on with --set, and records who did it', async () => {
      const updated = await cli('tenant', 'update', 'acme', '--set', 'features.auth.password_grant_enabled=true', '--json');
      assert.equal(updated.code, 0, updated.stderr);
      const tenant = JSON.parse(updated.stdout) as { settings: { features: { auth: { password_grant_enabled: boolean } } } };
      assert.equal(tenant.settings.features.auth.password_grant_enabled, true);
      assert.deepEqual((await acme()).settings, tenant.settings);
      const event = JSON.parse((await cli('audit', 'tail', '--action', 'tenant.update', '--lines', '1', '--json')).stdout) as Record<string, unknown>;
      assert.deepEqual([event.actor_type, event.target_id], ['cli', (await acme()).id]);
    });

    it('takes several --set (numbers, lists, strings) and --name at once; other settings keep their values', async () => {
      const updated = await cli(
        'tenant', 'update', 'acme', '--name', 'Acme Corp',
        '--set', 'access_token_lifetime=600', '--set', 'allowed_signing_algs=RS256,ES256', '--set', 'signing_alg=ES256', '--set', 'refresh_token_rotation=false', '--json',
      );
      assert.equal(updated.code, 0, updated.stderr);
      const tenant = JSON.parse(updated.stdout) as { name: string; settings: Record<string, unknown> };
      assert.equal(tenant.name, 'Acme Corp');
      assert.equal(tenant.settings.access_token_lifetime, 600);
      assert.deepEqual(tenant.settings.allowed_signing_algs, ['RS256', 'ES256']);
      assert.equal(tenant.settings.signing_alg, 'ES256');
      assert.equal(tenant.settings.refresh_token_rotation, false);
      assert.deepEqual(tenant.settings.features, { auth: { ...DEFAULT_TENANT_SETTINGS.features.auth, password_grant_enabled: true } });
      // A JSON value is accepted too.
      const json = await cli('tenant', 'update', 'acme', '--set', 'allowed_signing_algs=["RS256","ES256","EdDSA"]', '--json');
      assert.equal(json.code, 0, json.stderr);
      assert.deepEqual((JSON.parse(json.stdout) as { settings: Record<string, unknown> }).settings.allowed_signing_algs, ['RS256', 'ES256', 'EdDSA']);
    });

    const refusals: Array<{ name: string; argv: string[]; message: RegExp }> = [
      { name: 'a flag that is not true or false', argv: ['--set', 'features.auth.password_grant_enabled=yes'], message: /features\.auth\.password_grant_enabled must be true or false/ },
      { name: 'a lifetime out of range', argv: ['--set', 'access_token_lifetime=0'], message: /access_token_lifetime must be a whole number of seconds from 1 to 86400/ },
      { name: 'an algorithm the tenant does not allow', argv: ['--set', 'signing_alg=HS256'], message: /signing_alg must be one of allowed_signing_algs/ },
      { name: 'an unknown setting', argv: ['--set', 'acces_token_lifetime=60'], message: /unknown setting "acces_token_lifetime"/ },
      { name: 'an unknown nested setting (a typo would otherwise be dropped silently)', argv: ['--set', 'features.auth.password_grant=true'], message: /unknown setting "features\.auth\.password_grant"/ },
      { name: 'a setting without a value', argv: ['--set', 'refresh_token_rotation'], message: /--set takes <setting>=<value>/ },
      { name: 'one good and one bad value', argv: ['--set', 'access_token_lifetime=900', '--set', 'require_live_api_keys=maybe'], message: /require_live_api_keys must be true or false/ },
      { name: 'nothing to change', argv: [], message: /nothing to change/ },
      { name: 'an empty name', argv: ['--name', ' '], message: /name must be 1 to 200 characters/ },
    ];
    for (const refusal of refusals) {
      it(`refuses ${refusal.name} with exit code 2 and changes nothing`, async () => {
        const before = await acme();
        const events = (await cli('audit', 'tail', '--action', 'tenant.update', '--json')).stdout;
        const result = await cli('tenant', 'update', 'acme', ...refusal.argv);
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, refusal.message);
        assert.equal(result.stdout, '');
        assert.deepEqual(await acme(), before);
        assert.equal((await cli('audit', 'tail', '--action', 'tenant.update', '--json')).stdout, events);
      });
    }

    it('answers an unknown tenant with exit code 1', async () => {
      const result = await cli('tenant', 'update', 'nope', '--set', 'access_token_lifetime=60');
      assert.equal(result.code, 1);
      assert.match(result.stderr, /no tenant "nope"/);
    });
  });
}
