/**
 * Claims about a person released by scope (OpenID Connect Core §5.4): `profile` → name, given_name,
 * family_name, preferred_username, updated_at; `email` → email and email_verified (true once the person proved
 * they receive mail there: a verification, sign-up, invitation or reset link). Used in ID tokens and by userinfo.
 */
import type { UserRow } from '../db/queries/users.ts';

export function userClaimsForScope(user: UserRow, scope: readonly string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  if (scope.includes('profile')) {
    if (user.display_name) claims.name = user.display_name;
    if (user.first_name) claims.given_name = user.first_name;
    if (user.last_name) claims.family_name = user.last_name;
    if (user.username) claims.preferred_username = user.username;
    claims.updated_at = Math.floor(user.updated_at / 1000);
  }
  if (scope.includes('email') && user.email) {
    claims.email = user.email;
    claims.email_verified = user.email_verified_at !== null && user.email_verified_at !== undefined;
  }
  return claims;
}
