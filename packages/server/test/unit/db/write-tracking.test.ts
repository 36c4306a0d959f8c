import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openDatabase } from '../../../src/db/database.ts';
import { migrateToLatest } from '../../../src/db/migrate.ts';
import { declareWrites, mayChangeDirectory, writeTrackerOf } from '../../../src/db/write-tracking.ts';

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

test('a raw statement that declares the tables it writes is judged by them (issue 21: one-statement issuance)', () => {
  const leafOnly = sql.raw(`${declareWrites('refresh_tokens', 'grant_access_tokens')} with claim as (update refresh_tokens set rotated_at = 1) select 1`);
  assert.equal(mayChangeDirectory(leafOnly.toOperationNode()), false);
  // Put first through a template, as `postgres/issuance-statement.ts` does.
  assert.equal(mayChangeDirectory(sql`${sql.raw(declareWrites('refresh_tokens'))} with claim as (update refresh_tokens set rotated_at = ${1}) select 1`.toOperationNode()), false);
  assert.equal(mayChangeDirectory(sql`${sql.raw('')} update users set status = ${'disabled'}`.toOperationNode()), true);
  const directory = sql.raw(`${declareWrites('refresh_tokens', 'users')} with x as (update users set status = 'disabled') select 1`);
  assert.equal(mayChangeDirectory(directory.toOperationNode()), true);
  assert.equal(mayChangeDirectory(sql.raw('/* writes: nothing at all */ update users set status = 1').toOperationNode()), true);
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
