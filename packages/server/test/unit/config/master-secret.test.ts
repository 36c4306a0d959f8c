/**
 * The generated master secret (issue 13, 8 and 9): a file that is empty or short (a first write that failed)
 * stops the start with a clear message instead of sealing signing keys under an HKDF of nothing; the first
 * write leaves either no file or a whole one; the data directory is 0700 and the file 0600 under umask 022.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../src/config/load-config.ts';
import { resolveMasterSecret } from '../../../src/config/master-secret.ts';
import { runCli } from '../../../src/cli/main.ts';

describe('master secret file', () => {
  const root = mkdtempSync(join(tmpdir(), 'latchkey-secret-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const freshDir = () => join(root, `data-${++n}`);

  it('refuses an empty or short secret file with a message that names the file and the fix', () => {
    for (const content of ['', '\n', 'too-short-to-be-a-secret\n']) {
      const dataDir = freshDir();
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(join(dataDir, 'secret'), content);
      assert.throws(
        () => resolveMasterSecret({ secret: undefined, dataDir }),
        (error: unknown) => error instanceof ConfigError && error.message.includes(join(dataDir, 'secret')) && /at least 32 characters/.test(error.message),
        JSON.stringify(content),
      );
    }
  });

  it('stops the latchkey command on an empty secret file (exit 2, the database untouched)', async () => {
    const dataDir = freshDir();
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'secret'), '');
    let stderr = '';
    const code = await runCli(['tenant', 'list'], { stdout: () => {}, stderr: (t) => (stderr += t) }, { LATCHKEY_DATA_DIR: dataDir, LATCHKEY_DATABASE_URL: `sqlite:${join(dataDir, 'latchkey.db')}`, LATCHKEY_LOG_LEVEL: 'silent' });
    assert.equal(code, 2);
    assert.match(stderr, /secret/);
    assert.match(stderr, /at least 32 characters/);
    assert.equal(existsSync(join(dataDir, 'latchkey.db')), false);
  });

  it('tightens a secret file left readable to others to 0600', () => {
    const dataDir = freshDir();
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, 'secret');
    writeFileSync(path, 'a-hand-copied-secret-that-is-long-enough-0123\n');
    chmodSync(path, 0o644);
    assert.equal(resolveMasterSecret({ secret: undefined, dataDir }).value, 'a-hand-copied-secret-that-is-long-enough-0123');
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it('generates a whole secret atomically into a 0700 directory with mode 0600, and reads it back', () => {
    const previous = process.umask(0o022);
    try {
      const dataDir = freshDir();
      const generated = resolveMasterSecret({ secret: undefined, dataDir });
      assert.equal(generated.source, 'generated');
      assert.ok(generated.value.length >= 32);
      assert.equal(statSync(dataDir).mode & 0o777, 0o700);
      assert.equal(statSync(join(dataDir, 'secret')).mode & 0o777, 0o600);
      assert.deepEqual(readdirSync(dataDir), ['secret'], 'no temporary file is left behind');
      assert.equal(readFileSync(join(dataDir, 'secret'), 'utf8'), `${generated.value}\n`);
      const again = resolveMasterSecret({ secret: undefined, dataDir });
      assert.deepEqual([again.source, again.value], ['file', generated.value]);
    } finally {
      process.umask(previous);
    }
  });
});
