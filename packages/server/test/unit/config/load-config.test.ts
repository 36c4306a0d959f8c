import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig, ConfigError } from '../../../src/config/load-config.ts';
import { replaceConfigTable } from '../../../src/config/readme-table.ts';

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
