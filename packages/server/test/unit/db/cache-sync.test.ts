/**
 * The poller of the shared change counter: a change announced through another handle drops the caches that
 * follow the write tracker; entries live long only while the signal is current; a failing read breaks
 * nothing and falls back to the TTL; the timer never keeps the process alive (issue 21).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, DIALECTS } from '../../support/databases.ts';
import type { TestDatabase } from '../../support/databases.ts';
import { openDatabase } from '../../../src/db/database.ts';
import type { DatabaseHandle } from '../../../src/db/database.ts';
import { migrateToLatest } from '../../../src/db/migrate.ts';
import { CacheSync } from '../../../src/db/cache-sync.ts';
import { WriteAwareCache } from '../../../src/db/write-aware-cache.ts';

const TTL_MS = 5_000;
const LIFETIME_MS = 300_000;

for (const dialect of DIALECTS) {
  describe(`CacheSync (${dialect})`, () => {
    let database: TestDatabase;
    let writer: DatabaseHandle;
    let reader: DatabaseHandle;

    before(async () => {
      database = await createTestDatabase(dialect);
      writer = openDatabase(database.url);
      await migrateToLatest(writer.db);
      writer.announcer.enable();
      reader = openDatabase(database.url);
    });
    after(async () => {
      await writer.db.destroy();
      await reader.db.destroy();
      await database.drop();
    });

    it('drops what the reader cached once another handle announces a change', async () => {
      let changes = 0;
      const sync = new CacheSync(reader.db, { intervalMs: 60_000, lifetimeMs: LIFETIME_MS, onChange: () => (changes += 1) });
      const cache = new WriteAwareCache<string, string>(reader.db, { ttlMs: TTL_MS, maxBytes: 1 << 20 });
      assert.equal(await sync.sync(), true);
      let loads = 0;
      const load = async () => `value ${++loads}`;
      assert.equal(await cache.get('k', load), 'value 1');
      assert.equal(await cache.get('k', load), 'value 1');
      // Nothing moved: a read keeps the entry.
      await sync.sync();
      assert.equal(await cache.get('k', load), 'value 1');
      assert.equal(changes, 0);
      await writer.db.transaction().execute((trx) => trx.updateTable('tenants').set({ name: 'x' }).where('id', '=', 'none').execute());
      await sync.sync();
      assert.equal(changes, 1);
      assert.equal(await cache.get('k', load), 'value 2');
    });

    it('serves entries for the long lifetime only while polling and the last read is recent; stopped, the TTL again', async () => {
      let now = 1_000_000;
      const sync = new CacheSync(reader.db, { intervalMs: 60_000, lifetimeMs: LIFETIME_MS, now: () => now });
      assert.equal(sync.lifetimeMs(TTL_MS), TTL_MS, 'not polling (the CLI): the TTL');
      sync.start();
      try {
        assert.equal(sync.lifetimeMs(TTL_MS), TTL_MS, 'no read yet');
        await sync.sync();
        assert.equal(sync.lifetimeMs(TTL_MS), LIFETIME_MS);
        assert.equal(sync.lifetimeMs(0), 0, 'a TTL of 0 keeps the caches off');
        now += TTL_MS;
        assert.equal(sync.lifetimeMs(TTL_MS), TTL_MS, 'the last read is as old as the TTL: the signal is not current');
      } finally {
        await sync.stop();
      }
      await sync.sync();
      assert.equal(sync.lifetimeMs(TTL_MS), TTL_MS);
    });

    it('a failing read returns false, throws nothing and leaves the TTL in force; the next good read drops the caches', async () => {
      const broken = openDatabase(database.url);
      let changes = 0;
      let now = 2_000_000;
      const sync = new CacheSync(broken.db, { intervalMs: 60_000, lifetimeMs: LIFETIME_MS, onChange: () => (changes += 1), now: () => now });
      sync.start();
      try {
        assert.equal(await sync.sync(), true);
        await broken.db.schema.alterTable('directory_changes').renameTo('directory_changes_away').execute();
        try {
          now += TTL_MS;
          assert.equal(await sync.sync(), false);
          assert.equal(sync.lifetimeMs(TTL_MS), TTL_MS);
        } finally {
          await broken.db.schema.alterTable('directory_changes_away').renameTo('directory_changes').execute();
        }
        await writer.db.transaction().execute((trx) => trx.updateTable('tenants').set({ name: 'y' }).where('id', '=', 'none').execute());
        assert.equal(await sync.sync(), true);
        assert.equal(changes, 1);
        assert.equal(sync.lifetimeMs(TTL_MS), LIFETIME_MS);
      } finally {
        await sync.stop();
        await broken.db.destroy();
      }
    });
  });
}

it('the polling timer does not keep the process alive and is gone after stop', async () => {
  const database = await createTestDatabase('sqlite');
  const { db } = openDatabase(database.url);
  try {
    await migrateToLatest(db);
    const before = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const sync = new CacheSync(db, { intervalMs: 20, lifetimeMs: LIFETIME_MS });
    sync.start();
    // An unref'd timer is not listed among the resources that keep the event loop alive.
    assert.equal(process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length, before);
    // It does run: wait (bounded) for a read it made itself.
    const until = Date.now() + 10_000;
    while (sync.lifetimeMs(TTL_MS) !== LIFETIME_MS) {
      assert.ok(Date.now() < until, 'the timer read the counter');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await sync.stop();
    assert.equal(sync.lifetimeMs(TTL_MS), TTL_MS, 'stopped');
  } finally {
    await db.destroy();
    await database.drop();
  }
});
