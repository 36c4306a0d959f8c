import type { Database } from '../database.ts';

/**
 * Drops sign-in state nobody can use any more: expired interactions, codes, refresh tokens (rotated-out ones are
 * kept until they expire, for replay detection), sessions and access-token ids of grants.
 */
export async function deleteExpiredSignInState(db: Database, now: number): Promise<void> {
  await db.deleteFrom('interactions').where('expires_at', '<=', now).execute();
  await db.deleteFrom('authorization_codes').where('expires_at', '<=', now).execute();
  await db.deleteFrom('refresh_tokens').where('expires_at', '<=', now).execute();
  await db.deleteFrom('grant_access_tokens').where('expires_at', '<=', now).execute();
  await db.deleteFrom('browser_sessions').where('expires_at', '<=', now).execute();
}
