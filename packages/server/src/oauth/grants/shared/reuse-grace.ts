/**
 * The tenant's `reuse_grace` (ARCHITECTURE: "A retry is not an attack"), for refresh tokens only. A rotated-out
 * refresh token presented again by its own client shortly after its rotation is most often a retry whose answer
 * was lost (a crash, a reset connection), so within the grace it is answered with the same successor as before
 * instead of revoking the family, provided the family has not moved on: that successor is still unused and
 * unrevoked. A reuse after the grace, or after the family moved on, is a replay and revokes it (RFC 9700
 * §4.14.2). Codes get no grace: RFC 6749 §4.1.2 says a second use MUST be denied, and a lost code-exchange
 * answer costs only one more redirect through the still-signed-in session. Trade-offs in docs/sign-in.md.
 */
import type { Tenant } from '../../../db/queries/tenants.ts';
import type { RefreshTokenRow } from '../../../db/queries/refresh-tokens.ts';

export function isWithinReuseGrace(tenant: Tenant, usedAt: number, now: number): boolean {
  const grace = tenant.settings.reuse_grace;
  return grace > 0 && now - usedAt <= grace * 1000;
}

/** The refresh token an earlier answer carried may be handed out again only while nobody has used it. */
export function isUnusedRefreshToken(row: RefreshTokenRow | undefined, grantId: string, now: number): row is RefreshTokenRow {
  return row !== undefined && row.grant_id === grantId && row.rotated_at === null && row.revoked_at === null && row.expires_at > now;
}
