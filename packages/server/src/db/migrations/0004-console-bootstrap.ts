import type { Kysely } from 'kysely';

/**
 * One-time links that create the first super admin (issue 19): `latchkey serve` on a deployment without one, or
 * `latchkey admin bootstrap`, stores the SHA-256 of a random token; the console's bootstrap page spends it once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('bootstrap_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
}
