/**
 * A refresh token or an authorization code with its grant and the grant's user, in ONE query (issue 21): the
 * refresh and code grants read all three on every request, and on PostgreSQL each read is a round trip.
 * Left joins, so a missing grant or user reads as undefined and the grant checks refuse it as before. Each
 * table's columns are listed in a map typed against its row type, so a column added to the schema types
 * fails the build here until it is read too.
 */
import type { Database } from '../database.ts';
import { preparedQuery } from '../prepared-query.ts';
import type { AuthorizationCodesTable, GrantsTable, RefreshTokensTable } from '../schema-sign-in.ts';
import type { UsersTable } from '../schema.ts';
import { aliased, unprefix, USER_COLUMNS } from './joined-rows.ts';
import type { Columns } from './joined-rows.ts';

const GRANT: Columns<GrantsTable> = { id: true, tenant_id: true, client_id: true, user_id: true, session_id: true, scope: true, auth_time: true, amr: true, acr: true, resources: true, offline: true, created_at: true, revoked_at: true };
const REFRESH_TOKEN: Columns<RefreshTokensTable> = { token_hash: true, id: true, grant_id: true, tenant_id: true, client_id: true, scope: true, created_at: true, expires_at: true, rotated_at: true, revoked_at: true };
const CODE: Columns<AuthorizationCodesTable> = { code_hash: true, grant_id: true, tenant_id: true, client_id: true, redirect_uri: true, code_challenge: true, nonce: true, created_at: true, expires_at: true, consumed_at: true };

export interface WithGrant<T> {
  readonly row: T;
  readonly grant: GrantsTable | undefined;
  readonly user: UsersTable | undefined;
}

function split<T>(row: Record<string, unknown> | undefined, columns: object): WithGrant<T> | undefined {
  if (row === undefined) return undefined;
  // A left join without a match gives nulls; id is never null in a row that exists.
  return {
    row: unprefix<T>(row, 't_', columns),
    grant: row.g_id == null ? undefined : unprefix<GrantsTable>(row, 'g_', GRANT),
    user: row.u_id == null ? undefined : unprefix<UsersTable>(row, 'u_', USER_COLUMNS),
  };
}

// Built once per database (`prepared-query.ts`): both run on every refresh and code exchange.
const refreshTokenRead = preparedQuery<{ tokenHash: string }, Record<string, unknown>>((db, { tokenHash }) =>
  db
    .selectFrom('refresh_tokens')
    .leftJoin('grants', 'grants.id', 'refresh_tokens.grant_id')
    .leftJoin('users', 'users.id', 'grants.user_id')
    .select([...aliased('refresh_tokens', 't_', REFRESH_TOKEN), ...aliased('grants', 'g_', GRANT), ...aliased('users', 'u_', USER_COLUMNS)])
    .where('refresh_tokens.token_hash', '=', tokenHash),
);

const authorizationCodeRead = preparedQuery<{ codeHash: string }, Record<string, unknown>>((db, { codeHash }) =>
  db
    .selectFrom('authorization_codes')
    .leftJoin('grants', 'grants.id', 'authorization_codes.grant_id')
    .leftJoin('users', 'users.id', 'grants.user_id')
    .select([...aliased('authorization_codes', 't_', CODE), ...aliased('grants', 'g_', GRANT), ...aliased('users', 'u_', USER_COLUMNS)])
    .where('authorization_codes.code_hash', '=', codeHash),
);

export function grantLookupQueries(db: Database) {
  return {
    async refreshToken(tokenHash: string): Promise<WithGrant<RefreshTokensTable> | undefined> {
      const [row] = await refreshTokenRead.execute(db, { tokenHash });
      return split<RefreshTokensTable>(row, REFRESH_TOKEN);
    },
    async authorizationCode(codeHash: string): Promise<WithGrant<AuthorizationCodesTable> | undefined> {
      const [row] = await authorizationCodeRead.execute(db, { codeHash });
      return split<AuthorizationCodesTable>(row, CODE);
    },
  };
}
