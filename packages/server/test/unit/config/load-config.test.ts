import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, ConfigError } from '../../../src/config/load-config.ts';
import { replaceConfigTable } from '../../../src/config/readme-table.ts';
import { runCli } from '../../../src/cli/main.ts';

describe('loadConfig', () => {
  it('applies documented defaults and derives the base URL', () => {
    const config = loadConfig({});
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 9000);
    assert.equal(config.baseUrl, 'http://127.0.0.1:9000');
    assert.equal(config.databaseUrl, 'sqlite:./data/latchkey.db');
    assert.equal(config.secureCookies, false);
    assert.ok(Object.isFrozen(config));
  });

  it('normalises LATCHKEY_BASE_URL and marks https deployments for Secure cookies', () => {
    const config = loadConfig({ LATCHKEY_BASE_URL: 'https://id.example.com/' });
    assert.equal(config.baseUrl, 'https://id.example.com');
    assert.equal(config.secureCookies, true);
  });

  // Regression (issue 14.7): LATCHKEY_DATA_DIR moved the generated secret but left the SQLite file in ./data.
  it('puts the default SQLite file in LATCHKEY_DATA_DIR, next to the secret; an explicit URL still wins', () => {
    assert.equal(loadConfig({ LATCHKEY_DATA_DIR: '/srv/latchkey' }).databaseUrl, 'sqlite:/srv/latchkey/latchkey.db');
    assert.equal(loadConfig({ LATCHKEY_DATA_DIR: 'state/' }).databaseUrl, 'sqlite:state/latchkey.db');
    assert.equal(loadConfig({ LATCHKEY_DATA_DIR: '/srv/latchkey', LATCHKEY_DATABASE_URL: 'sqlite:/var/lk.db' }).databaseUrl, 'sqlite:/var/lk.db');
  });

  it('writes the database and the secret into LATCHKEY_DATA_DIR when nothing else is set (a real CLI run)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-data-dir-'));
    try {
      const code = await runCli(['tenant', 'create', 'acme'], { stdout: () => {}, stderr: () => {} }, { LATCHKEY_DATA_DIR: dir, LATCHKEY_LOG_LEVEL: 'silent' });
      assert.equal(code, 0);
      assert.ok(existsSync(join(dir, 'secret')));
      assert.ok(existsSync(join(dir, 'latchkey.db')), 'the SQLite file is in LATCHKEY_DATA_DIR');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports every invalid variable at once', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty', LATCHKEY_SECRET: 'short', LATCHKEY_LOG_LEVEL: 'loud', LATCHKEY_BASE_URL: 'ftp://x' }),
      (error: unknown) => error instanceof ConfigError && ['PORT', 'LATCHKEY_SECRET', 'LATCHKEY_LOG_LEVEL', 'LATCHKEY_BASE_URL'].every((name) => error.message.includes(name)),
    );
  });
});

describe('README configuration table', () => {
  it('is generated from the definitions and up to date (npm run docs:config)', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../../../../README.md', import.meta.url)), 'utf8');
    assert.equal(replaceConfigTable(readme), readme);
  });
});
