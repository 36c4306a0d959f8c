/**
 * What a user-token issuance stores, in one atomic step: the claim that makes it the one winner (a code's
 * consumption, a refresh token's rotation, or a retry's check that the family has not moved on), the access
 * token's jti under its grant (so revoking the grant reaches it), the new refresh token, and, when the grant
 * was revoked while the tokens were being signed, the access token's jti among the revoked ones (issue 14).
 * The grant row is locked first, so a concurrent revocation (which updates it first) either waits for these
 * writes or is seen by them.
 *
 * On SQLite this is one write transaction of several statements (in-process, one fsync at the commit). On
 * PostgreSQL every statement is a round trip, and BEGIN and COMMIT are two more: six in all, most of a
 * refresh's CPU (bench/, scenario 3; issue 21). There it is ONE statement of data-modifying CTEs, atomic on
 * its own (`postgres/issuance-statement.ts`).
 */
import type { Database, DialectName } from '../database.ts';
import { issuanceStatement } from '../postgres/issuance-statement.ts';
import { authorizationCodeQueries } from './authorization-codes.ts';
import { grantQueries } from './grants.ts';
import { refreshTokenQueries } from './refresh-tokens.ts';
import type { RefreshTokenRow } from './refresh-tokens.ts';

/** The condition an issuance must win; nothing is stored when it loses. */
export type IssuanceClaim =
  | { readonly kind: 'consume-code'; readonly codeHash: string }
  | { readonly kind: 'rotate-refresh-token'; readonly tokenHash: string }
  | { readonly kind: 'refresh-token-unused'; readonly tokenHash: string };

export interface IssuanceWrites {
  readonly claim?: IssuanceClaim | undefined;
  readonly grantId: string;
  readonly accessToken: { readonly jti: string; readonly expiresAt: number };
  /** Stored revoked when the grant turns out revoked. */
  readonly refreshToken?: Omit<RefreshTokenRow, 'revoked_at'> | undefined;
  readonly now: number;
}

function claimOn(db: Database, claim: IssuanceClaim, now: number): Promise<boolean> {
  switch (claim.kind) {
    case 'consume-code':
      return authorizationCodeQueries(db).consume(claim.codeHash, now);
    case 'rotate-refresh-token':
      return refreshTokenQueries(db).markRotated(claim.tokenHash, now);
    case 'refresh-token-unused':
      return refreshTokenQueries(db).holdUnused(claim.tokenHash);
  }
}

export function tokenIssuanceQueries(db: Database, dialect: DialectName) {
  return {
    /** Stores an issuance; false when its claim lost (then nothing was stored). */
    async store(writes: IssuanceWrites): Promise<boolean> {
      if (dialect === 'postgres') return issuanceStatement(writes).execute(db).then((result) => Number(result.rows[0]?.claimed ?? 0) > 0);
      return db.transaction().execute(async (trx) => {
        // SQLite's write transactions run one at a time (BEGIN IMMEDIATE): no row lock needed.
        if (writes.claim !== undefined && !(await claimOn(trx, writes.claim, writes.now))) return false;
        const grants = grantQueries(trx);
        const revokedAt = await grants.revokedAt(writes.grantId, false);
        const { jti, expiresAt } = writes.accessToken;
        await grants.recordAccessToken(writes.grantId, jti, expiresAt);
        if (revokedAt != null) {
          await trx.insertInto('revoked_access_tokens').values({ jti, expires_at: expiresAt }).onConflict((oc) => oc.column('jti').doNothing()).execute();
        }
        if (writes.refreshToken !== undefined) await refreshTokenQueries(trx).insert({ ...writes.refreshToken, revoked_at: revokedAt ?? null });
        return true;
      });
    },
  };
}
