/**
 * First start as an operator sees it (issue 19): `latchkey serve` on an empty deployment prints a one-time link
 * to the console page that creates the first super admin; the link works once; the next start prints none.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { latchkeyCommand } from '../support/launcher.ts';
import { createTestDatabase } from '../support/databases.ts';
import type { TestDatabase } from '../support/databases.ts';
import { freePort, TEST_SECRET } from '../support/server.ts';

interface Served {
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout up to "latchkey is serving". */
  readonly output: string;
}

/** Starts `latchkey serve` and waits (up to 30 s) for its "latchkey is serving" line. */
async function serve(env: Record<string, string>): Promise<Served> {
  const child = spawn(process.execPath, latchkeyCommand('serve', '--workers', '1'), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 30_000;
  while (!output.includes('latchkey is serving')) {
    if (child.exitCode !== null) throw new Error(`latchkey serve exited with ${child.exitCode}: ${output}`);
    if (Date.now() > deadline) throw new Error(`latchkey serve did not start: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, output };
}

async function stop(served: Served): Promise<void> {
  if (served.child.exitCode !== null) return;
  served.child.kill('SIGTERM');
  await once(served.child, 'exit');
}

describe('latchkey serve on first start', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  let base: string;

  before(async () => {
    database = await createTestDatabase('sqlite');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = { HOST: '127.0.0.1', PORT: String(port), LATCHKEY_BASE_URL: base, LATCHKEY_DATABASE_URL: database.url, LATCHKEY_DATA_DIR: database.dir, LATCHKEY_SECRET: TEST_SECRET, LATCHKEY_LOG_LEVEL: 'info' };
  });
  after(() => database.drop());

  it('prints a one-time link to create the first super admin, and none once one exists', { timeout: 90_000 }, async () => {
    const first = await serve(env);
    let token: string;
    try {
      const link = new RegExp(`No super admin exists yet[^\\n]*\\n\\s*(${base.replace(/[.:/]/g, '\\$&')}/console/#/bootstrap/([A-Za-z0-9_-]{43}))`).exec(first.output);
      assert.ok(link, `a link in: ${first.output}`);
      token = link[2]!;
      assert.equal((await fetch(`${base}/console/`)).status, 200, 'the page the link opens');
      const post = (email: string) => fetch(`${base}/admin/v1/bootstrap`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, email, password: 'correct horse battery staple' }) });
      assert.equal((await post('root@ops.test')).status, 201);
      assert.equal((await post('again@ops.test')).status, 403, 'the link works once');
    } finally {
      await stop(first);
    }
    const second = await serve(env);
    await stop(second);
    assert.doesNotMatch(second.output, /bootstrap/, 'no link once a super admin exists');
  });
});
