/**
 * Test databases: every storage test runs for each dialect in `DIALECTS`, each run on a fresh database that is
 * dropped afterwards. PostgreSQL is the machine's server (LATCHKEY_TEST_POSTGRES_URL, default
 * postgres://postgres@127.0.0.1:5432/test, trust auth); SQLite is a file in a temporary directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DialectName } from '../../src/db/database.ts';

export const DIALECTS: readonly DialectName[] = ['sqlite', 'postgres'];

export const POSTGRES_ADMIN_URL = process.env.LATCHKEY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  readonly dialect: DialectName;
  readonly url: string;
  /** A scratch directory of this test database (data dir, secret file). */
  readonly dir: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-test-'));
  if (dialect === 'sqlite') {
    return {
      dialect,
      url: `sqlite:${join(dir, 'latchkey.db')}`,
      dir,
      async drop() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `latchkey_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    dialect,
    url: url.href,
    dir,
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
