/**
 * Export and import of refresh-token chains (issue 22): a grant whose refresh token was rotated twice moves from
 * SQLite to PostgreSQL with its whole history, in whatever order the file lists the rows (the import orders
 * every table after the ones it references, and self-references parents first). After the move the newest
 * token redeems, and presenting a rotated-out one is still a replay that revokes the family (RFC 9700 §4.14.2).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.ts';
import { createTestDatabase } from '../support/databases.ts';
import type { TestDatabase } from '../support/databases.ts';
import { json, postForm } from '../support/http.ts';
import { startTestServer, TEST_SECRET } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { signInForTokens } from '../support/sign-in.ts';

function envFor(database: TestDatabase): Record<string, string> {
  return { LATCHKEY_DATABASE_URL: database.url, LATCHKEY_DATA_DIR: database.dir, LATCHKEY_SECRET: TEST_SECRET, LATCHKEY_LOG_LEVEL: 'silent' };
}

async function cli(argv: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) }, env);
  return { code, stdout, stderr };
}

describe('export and import of rotated refresh-token chains (sqlite to postgres)', () => {
  let source: TestServer;
  let web: SignInFixture;
  /** The chain, oldest first: two rotated out, the newest live. */
  const chain: string[] = [];
  let exportFile: string;

  before(async () => {
    source = await startTestServer('sqlite');
    web = await createSignInFixture(source, 'acme');
    const { tokens } = await signInForTokens({ ...web, scope: 'openid offline_access' });
    chain.push(tokens.refresh_token as string);
    for (let i = 0; i < 2; i++) {
      const response = await postForm(`${web.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: chain.at(-1)!, client_id: web.clientId, client_secret: web.clientSecret });
      assert.equal(response.status, 200);
      chain.push((await json(response)).refresh_token as string);
    }
    exportFile = join(source.database.dir, 'chain.json');
    const exported = await cli(['export', '--output', exportFile], envFor(source.database));
    assert.equal(exported.code, 0, exported.stderr);
  });
  after(() => source.stop());

  async function importReordered(reorder: (rows: unknown[]) => unknown[]): Promise<TestServer> {
    const document = JSON.parse(readFileSync(exportFile, 'utf8')) as { tables: Record<string, unknown[]> };
    assert.equal(document.tables.refresh_tokens!.length, 3, 'the whole chain is exported');
    const file = join(source.database.dir, `reordered-${Math.random().toString(36).slice(2)}.json`);
    // Every table's rows in another order than the export wrote them (children before parents where they differ).
    writeFileSync(file, JSON.stringify({ ...document, tables: Object.fromEntries(Object.entries(document.tables).map(([name, rows]) => [name, reorder(rows)])) }), { mode: 0o600 });
    const target = await createTestDatabase('postgres');
    const imported = await cli(['import', file, '--json'], envFor(target));
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal((JSON.parse(imported.stdout) as { rows: Record<string, number> }).rows.refresh_tokens, 3);
    return startTestServer('postgres', {}, target).then((server) => ({ ...server, stop: async () => (await server.stop(), await target.drop()) }));
  }

  for (const [name, reorder] of [['newest first', (rows: unknown[]) => [...rows].reverse()], ['as exported', (rows: unknown[]) => rows]] as const) {
    it(`imports the chain (${name}): the newest token redeems, a rotated-out one is a replay that revokes the family`, async () => {
      const target = await importReordered(reorder);
      try {
        const issuer = `${target.url}/t/acme`;
        const refresh = (token: string) => postForm(`${issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: token, client_id: web.clientId, client_secret: web.clientSecret });
        const newest = await refresh(chain[2]!);
        assert.equal(newest.status, 200, 'the live end of the chain redeems after the move');
        const next = (await json(newest)).refresh_token as string;
        const replay = await refresh(chain[1]!);
        assert.equal((await json(replay)).error, 'invalid_grant');
        const audit = await target.ctx.db.selectFrom('audit_events').select('action').where('action', '=', 'refresh_token.reuse').execute();
        assert.equal(audit.length, 1, 'the replay was recognised as one');
        assert.equal((await json(await refresh(next))).error, 'invalid_grant', 'the whole family is revoked');
        assert.equal((await json(await refresh(chain[0]!))).error, 'invalid_grant');
      } finally {
        await target.stop();
      }
    });
  }
});
