import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openDatabase } from '../../../src/db/database.ts';
import { migrateToLatest } from '../../../src/db/migrate.ts';
import { mayChangeDirectory, writeTrackerOf } from '../../../src/db/write-tracking.ts';

const { db } = openDatabase('sqlite::memory:');
after(() => db.destroy());

test('reads and writes to leaf tables change nothing cached; other writes, raw statements and DDL do', () => {
  assert.equal(mayChangeDirectory(db.selectFrom('users').selectAll().toOperationNode()), false);
  assert.equal(mayChangeDirectory(sql`select 1`.toOperationNode()), false);
  assert.equal(mayChangeDirectory(db.insertInto('audit_events').values({ id: 'a', tenant_id: null, occurred_at: 1, action: 'x', outcome: 'success', actor_type: null, actor_id: null, target_type: null, target_id: null, ip: null, details: '{}' }).toOperationNode()), false);
  assert.equal(mayChangeDirectory(db.deleteFrom('revoked_access_tokens').where('expires_at', '<', 1).toOperationNode()), false);

  assert.equal(mayChangeDirectory(db.updateTable('clients').set({ secret_hash: 'x' }).toOperationNode()), true);
  assert.equal(mayChangeDirectory(db.deleteFrom('groups').toOperationNode()), true);
  assert.equal(mayChangeDirectory(db.insertInto('group_members').values({ group_id: 'g', user_id: 'u', created_at: 1 }).toOperationNode()), true);
  // Deleting a tenant cascades into every directory table.
  assert.equal(mayChangeDirectory(db.deleteFrom('tenants').where('id', '=', 't').toOperationNode()), true);
  assert.equal(mayChangeDirectory(sql`update users set status = 'disabled'`.toOperationNode()), true);
  assert.equal(mayChangeDirectory(db.schema.dropTable('users').toOperationNode()), true);
});

test('the tracker of an opened database moves on directory writes only, in transactions too', async () => {
  await migrateToLatest(db);
  const tracker = writeTrackerOf(db)!;
  assert.ok(tracker);
  let generation = tracker.generation;
  await db.selectFrom('users').selectAll().execute();
  await db.insertInto('revoked_access_tokens').values({ jti: 'j', expires_at: 1 }).execute();
  assert.equal(tracker.generation, generation);
  await db.transaction().execute((trx) => trx.updateTable('users').set({ status: 'disabled' }).where('id', '=', 'nobody').execute());
  assert.ok(tracker.generation > generation);
  generation = tracker.generation;
  await db.deleteFrom('partners').where('id', '=', 'nobody').execute();
  assert.ok(tracker.generation > generation);
});
