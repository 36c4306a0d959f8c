import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../../src/db/database.ts';
import type { Database } from '../../../src/db/database.ts';
import { migrateToLatest } from '../../../src/db/migrate.ts';
import { preparedQuery } from '../../../src/db/prepared-query.ts';
import { DEFAULT_TENANT_SETTINGS } from '../../../src/directory/tenant-settings.ts';
import { DIALECTS, createTestDatabase } from '../../support/databases.ts';
import type { TestDatabase } from '../../support/databases.ts';

// Two named parameters, one used twice and in an order other than their names', and a constant of the query.
const tenantsLike = preparedQuery<{ slug: string; name: string }, { slug: string }>((db, { slug, name }) =>
  db
    .selectFrom('tenants')
    .select('slug')
    .where((eb) => eb.or([eb('name', '=', name), eb('slug', '=', slug), eb('id', '=', name)]))
    .where('slug', '!=', 'never-matches')
    .orderBy('slug'),
);

for (const dialect of DIALECTS) {
  describe(`preparedQuery (${dialect})`, () => {
    let database: TestDatabase;
    let db: Database;
    before(async () => {
      database = await createTestDatabase(dialect);
      db = openDatabase(database.url).db;
      await migrateToLatest(db);
      const tenant = (slug: string, name: string) => ({ id: `t-${slug}`, partner_id: null, slug, name, settings: JSON.stringify(DEFAULT_TENANT_SETTINGS), created_at: 1, updated_at: 1 });
      await db.insertInto('tenants').values([tenant('acme', 'Acme'), tenant('globex', 'Globex'), tenant('never-matches', 'Acme')]).execute();
    });
    after(async () => {
      await db.destroy();
      await database.drop();
    });

    const slugs = async (on: Database, params: { slug: string; name: string }) => (await tenantsLike.execute(on, params)).map((row) => row.slug);

    it('runs with each call\'s values in the places their names hold, and keeps the query\'s own constants', async () => {
      assert.deepEqual(await slugs(db, { slug: 'globex', name: 'Acme' }), ['acme', 'globex']);
      assert.deepEqual(await slugs(db, { slug: 'nobody', name: 'Globex' }), ['globex']);
      assert.deepEqual(await slugs(db, { slug: 'nobody', name: 'nobody' }), []);
    });

    it('compiles per database handle, so a second database gets its own dialect\'s SQL', async () => {
      const other = openDatabase('sqlite::memory:').db;
      try {
        await migrateToLatest(other);
        assert.deepEqual(await slugs(other, { slug: 'acme', name: 'Acme' }), []);
        assert.deepEqual(await slugs(db, { slug: 'acme', name: 'x' }), ['acme']);
      } finally {
        await other.destroy();
      }
    });
  });
}
