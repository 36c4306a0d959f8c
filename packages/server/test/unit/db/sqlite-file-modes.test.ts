/**
 * The SQLite files hold password hashes and sealed signing keys (issue 13, 9): under the usual umask 022 the
 * directory is created 0700 and the database with its -wal and -shm files 0600, never world-readable.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../../../src/db/database.ts';

describe('SQLite file modes', () => {
  const root = mkdtempSync(join(tmpdir(), 'latchkey-modes-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('creates the directory 0700 and the database, -wal and -shm 0600 under umask 022', async () => {
    const previous = process.umask(0o022);
    try {
      const dir = join(root, 'fresh', 'data');
      const path = join(dir, 'latchkey.db');
      const { db } = openDatabase(`sqlite:${path}`);
      try {
        await sql`create table t (x integer)`.execute(db);
        await sql`insert into t values (1)`.execute(db);
        assert.equal(statSync(dir).mode & 0o777, 0o700);
        for (const file of [path, `${path}-wal`, `${path}-shm`]) {
          assert.ok(existsSync(file), `${file} exists while the database is open`);
          assert.equal(statSync(file).mode & 0o777, 0o600, file);
        }
      } finally {
        await db.destroy();
      }
    } finally {
      process.umask(previous);
    }
  });

  it('tightens a database file an older version left world-readable', async () => {
    const path = join(root, 'old.db');
    writeFileSync(path, '');
    chmodSync(path, 0o644);
    const { db } = openDatabase(`sqlite:${path}`);
    try {
      await sql`create table t (x integer)`.execute(db);
      for (const file of [path, `${path}-wal`]) assert.equal(statSync(file).mode & 0o777, 0o600, file);
    } finally {
      await db.destroy();
    }
  });
});
