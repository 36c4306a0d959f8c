/**
 * Signing a user out everywhere: every browser session ends (no more single sign-on) and every grant is revoked
 * with its refresh and access tokens. Done when an admin sets the user's password, since the old one may be
 * what an attacker signed in with (RFC 9700 §4.14.2 names a password change among the security events that
 * revoke refresh tokens), and on
 * demand (`POST …/users/{id}/sign-out`, `latchkey user sign-out`).
 */
import type { Database } from '../db/database.ts';
import { grantQueries } from '../db/queries/grants.ts';
import { sessionQueries } from '../db/queries/sessions.ts';

export interface SignedOut {
  /** Browser sessions that were live. */
  readonly sessions: number;
  /** Grants that were live (each with its refresh and access tokens). */
  readonly grants: number;
}

/** Runs on `db`, which may be the transaction of the change that asks for it (a password, an audit event). */
export async function signOutUser(db: Database, userId: string, now: number): Promise<SignedOut> {
  const sessions = await sessionQueries(db).endAllOfUser(userId, now);
  const grants = await grantQueries(db).revokeAllOfUser(userId, now);
  return { sessions, grants };
}
