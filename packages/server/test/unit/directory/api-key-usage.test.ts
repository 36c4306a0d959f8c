/** Batched last_used_at: nothing is written until a flush, one write per key, and times only move forward. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../../support/databases.ts';
import type { TestDatabase } from '../../support/databases.ts';
import { openDatabase } from '../../../src/db/database.ts';
import type { Database } from '../../../src/db/database.ts';
import { migrateToLatest } from '../../../src/db/migrate.ts';
import { ApiKeyUsage } from '../../../src/directory/api-key-usage.ts';

describe('ApiKeyUsage', () => {
  let database: TestDatabase;
  let db: Database;
  const lastUsed = async (id: string) => (await db.selectFrom('api_keys').select('last_used_at').where('id', '=', id).executeTakeFirstOrThrow()).last_used_at;

  before(async () => {
    database = await createTestDatabase('sqlite');
    db = openDatabase(database.url).db;
    await migrateToLatest(db);
    await db.insertInto('tenants').values({ id: 't1', slug: 't1', name: 't1', partner_id: null, settings: '{}', created_at: 0, updated_at: 0 }).execute();
    await db.insertInto('users').values({ id: 'u1', tenant_id: 't1', kind: 'person', email: null, email_normalized: null, username: 'u', username_normalized: 'u', first_name: null, last_name: null, display_name: null, status: 'active', password_hash: null, role: null, admin_role: null, created_at: 0, updated_at: 0 }).execute();
    for (const id of ['k1', 'k2']) {
      await db.insertInto('api_keys').values({ id, tenant_id: 't1', owner_user_id: 'u1', name: id, mode: 'live', key_hash: id, display_prefix: id, permissions: null, expires_at: null, revoked_at: null, last_used_at: null, created_at: 0 }).execute();
    }
  });
  after(async () => {
    await db.destroy();
    await database.drop();
  });

  it('keeps the newest time per key in memory and writes it on flush', async () => {
    const usage = new ApiKeyUsage(db, (error) => assert.fail(String(error)));
    usage.record('k1', 1000);
    usage.record('k1', 3000);
    usage.record('k1', 2000);
    usage.record('k2', 500);
    assert.equal(usage.pending, 2);
    assert.equal(await lastUsed('k1'), null);
    await usage.stop();
    assert.equal(usage.pending, 0);
    assert.equal(Number(await lastUsed('k1')), 3000);
    assert.equal(Number(await lastUsed('k2')), 500);
  });

  it('never moves last_used_at backwards (another instance flushed a newer time)', async () => {
    const usage = new ApiKeyUsage(db, (error) => assert.fail(String(error)));
    usage.record('k1', 2500);
    await usage.stop();
    assert.equal(Number(await lastUsed('k1')), 3000);
  });
});
