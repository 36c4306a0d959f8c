/**
 * The shared change counter is bumped by the writes other instances' caches must see, with the transaction
 * that made them (so no instance sees the new version before the rows), and by nothing else (issue 21).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, DIALECTS } from '../../support/databases.ts';
import type { TestDatabase } from '../../support/databases.ts';
import { openDatabase } from '../../../src/db/database.ts';
import type { DatabaseHandle } from '../../../src/db/database.ts';
import { migrateToLatest } from '../../../src/db/migrate.ts';

for (const dialect of DIALECTS) {
  describe(`the shared change counter (${dialect})`, () => {
    let database: TestDatabase;
    let handle: DatabaseHandle;
    let observer: DatabaseHandle;
    const version = async () => Number((await observer.db.selectFrom('directory_changes').select('version').executeTakeFirstOrThrow()).version);
    const tenant = (id: string) => ({ id, slug: id, name: id, settings: '{}', created_at: 1, updated_at: 1 });

    before(async () => {
      database = await createTestDatabase(dialect);
      handle = openDatabase(database.url);
      // Migrations ran before enable(): their DDL bumped nothing (the table did not exist yet for most of them).
      await migrateToLatest(handle.db);
      handle.announcer.enable();
      observer = openDatabase(database.url);
    });
    after(async () => {
      await handle.db.destroy();
      await observer.db.destroy();
      await database.drop();
    });

    it('a directory write in a transaction bumps the counter once, in the same commit', async () => {
      const before = await version();
      await handle.db.transaction().execute(async (trx) => {
        await trx.insertInto('tenants').values(tenant('t1')).execute();
        await trx.updateTable('tenants').set({ name: 'renamed' }).where('id', '=', 't1').execute();
        // Another connection does not see the bump before the change commits.
        if (dialect === 'postgres') assert.equal(await version(), before);
      });
      assert.equal(await version(), before + 1);
    });

    it('a rolled-back transaction, reads and writes to leaf tables bump nothing', async () => {
      const before = await version();
      await assert.rejects(
        handle.db.transaction().execute(async (trx) => {
          await trx.insertInto('tenants').values(tenant('t2')).execute();
          throw new Error('rolled back');
        }),
      );
      await handle.db.selectFrom('tenants').selectAll().execute();
      await handle.db.deleteFrom('revoked_access_tokens').where('expires_at', '<', 1).execute();
      assert.equal(await version(), before);
    });

    it('a signing-key write bumps it (a rotation must reach every JWKS), though no local directory cache depends on it', async () => {
      const before = await version();
      await handle.db.transaction().execute((trx) => trx.updateTable('signing_keys').set({ publish_until: 1 }).where('kid', '=', 'none').execute());
      assert.equal(await version(), before + 1);
    });

    it('autocommit writes bump after they complete, and closing the database waits for the last bump', async () => {
      const own = openDatabase(database.url);
      own.announcer.enable();
      const before = await version();
      await Promise.all(Array.from({ length: 10 }, (_, i) => own.db.insertInto('tenants').values(tenant(`auto${i}`)).execute()));
      await own.db.destroy();
      const after = await version();
      assert.ok(after > before, 'announced');
      assert.equal(own.announcer.bumps, after - before);
    });

    it('bumps nothing until enabled', async () => {
      const quiet = openDatabase(database.url);
      const before = await version();
      await quiet.db.transaction().execute((trx) => trx.insertInto('tenants').values(tenant('quiet')).execute());
      await quiet.db.insertInto('tenants').values(tenant('quiet2')).execute();
      await quiet.db.destroy();
      assert.equal(await version(), before);
    });
  });
}
