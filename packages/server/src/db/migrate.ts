import { Migrator } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely';
import type { Database } from './database.ts';
import * as foundation from './migrations/0001-foundation.ts';
import * as signIn from './migrations/0002-sign-in.ts';
import * as directory from './migrations/0003-directory.ts';
import * as branding from './migrations/0004-branding.ts';
import * as authentication from './migrations/0005-authentication.ts';
import * as resources from './migrations/0006-resources.ts';
import * as federation from './migrations/0007-federation.ts';
import * as accounts from './migrations/0008-accounts.ts';
import * as adminConsole from './migrations/0009-console.ts';
import * as directoryChanges from './migrations/0010-directory-changes.ts';

/**
 * The migrations, in order. Listed here rather than read from a folder so the set is fixed at build time and
 * the same on every instance. Append new ones; never edit one that has shipped.
 */
const migrations: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-sign-in': signIn,
  '0003-directory': directory,
  '0004-branding': branding,
  '0005-authentication': authentication,
  '0006-resources': resources,
  '0007-federation': federation,
  '0008-accounts': accounts,
  '0009-console': adminConsole,
  '0010-directory-changes': directoryChanges,
};

class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

/** Brings the schema up to date. Safe to run from several instances at once (Kysely takes a lock). */
export async function migrateToLatest(db: Database): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
