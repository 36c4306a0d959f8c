/**
 * A user-token issuance as ONE PostgreSQL statement (`queries/token-issuance.ts` says what it stores and why):
 * data-modifying CTEs run exactly once and all together, so the statement is atomic without BEGIN and COMMIT,
 * and every write hangs off the claim, so a lost claim stores nothing. `g` locks the grant row (FOR UPDATE:
 * under READ COMMITTED it waits for a concurrent revocation and then reads its `revoked_at`), before the claim
 * locks the code or refresh token row: the order `grants.revoke` takes them in. Parameters are cast, since a
 * parameter in a SELECT list has no column to take its type from.
 */
import { sql } from 'kysely';
import type { RawBuilder } from 'kysely';
import type { IssuanceClaim, IssuanceWrites } from '../queries/token-issuance.ts';
import type { RefreshTokensTable } from '../schema-sign-in.ts';
import { declareWrites } from '../write-tracking.ts';

/** Every column of a new refresh token but `revoked_at` (the grant's), with its type: a new column fails the build here. */
const REFRESH_TOKEN_TYPES: { readonly [K in keyof Required<Omit<RefreshTokensTable, 'revoked_at'>>]: 'text' | 'bigint' } = {
  token_hash: 'text',
  id: 'text',
  grant_id: 'text',
  tenant_id: 'text',
  client_id: 'text',
  scope: 'text',
  created_at: 'bigint',
  expires_at: 'bigint',
  rotated_at: 'bigint',
};
const REFRESH_COLUMNS = Object.keys(REFRESH_TOKEN_TYPES) as (keyof typeof REFRESH_TOKEN_TYPES)[];

function claimStatement(claim: IssuanceClaim | undefined, now: number): RawBuilder<unknown> {
  if (claim === undefined) return sql`select 1 as ok from g`;
  switch (claim.kind) {
    case 'consume-code':
      return sql`update authorization_codes set consumed_at = ${now}::bigint
        where code_hash = ${claim.codeHash}::text and consumed_at is null and exists (select 1 from g) returning 1 as ok`;
    case 'rotate-refresh-token':
      return sql`update refresh_tokens set rotated_at = ${now}::bigint
        where token_hash = ${claim.tokenHash}::text and rotated_at is null and revoked_at is null and exists (select 1 from g) returning 1 as ok`;
    case 'refresh-token-unused':
      // Takes the row lock without changing it, so the child cannot be rotated before this commits.
      return sql`update refresh_tokens set revoked_at = null
        where token_hash = ${claim.tokenHash}::text and rotated_at is null and revoked_at is null and exists (select 1 from g) returning 1 as ok`;
  }
}

export function issuanceStatement(writes: IssuanceWrites): RawBuilder<{ claimed: number | string }> {
  const { jti, expiresAt } = writes.accessToken;
  const rt = writes.refreshToken;
  const refresh =
    rt === undefined
      ? sql``
      : sql`, refresh as (
          insert into refresh_tokens (${sql.join(REFRESH_COLUMNS.map((column) => sql.ref(column)))}, revoked_at)
          select ${sql.join(REFRESH_COLUMNS.map((column) => sql`${rt[column]}::${sql.raw(REFRESH_TOKEN_TYPES[column])}`))}, g.revoked_at
          from g, claim)`;
  // Only sign-in tables no cached directory row depends on (`write-tracking.ts`): the caches stay warm.
  return sql<{ claimed: number | string }>`${sql.raw(declareWrites('grants', 'authorization_codes', 'refresh_tokens', 'grant_access_tokens', 'revoked_access_tokens'))}
    with g as (select revoked_at from grants where id = ${writes.grantId}::text for update),
    claim as (${claimStatement(writes.claim, writes.now)}),
    access as (
      insert into grant_access_tokens (jti, grant_id, expires_at)
      select ${jti}::text, ${writes.grantId}::text, ${expiresAt}::bigint from claim),
    revoked as (
      insert into revoked_access_tokens (jti, expires_at)
      select ${jti}::text, ${expiresAt}::bigint from g, claim where g.revoked_at is not null
      on conflict (jti) do nothing)${refresh}
    select count(*) as claimed from claim`;
}
