/**
 * An API key by the hash of the presented key, with its owner, in ONE prepared query: every use of a key
 * (token exchange, introspection) reads both afresh, so a revoked key or a disabled owner shows at once, and
 * on PostgreSQL each read is a round trip. A left join: a key whose owner row is gone reads with no owner.
 */
import type { Database } from '../database.ts';
import { preparedQuery } from '../prepared-query.ts';
import type { ApiKeysTable, UsersTable } from '../schema.ts';
import { aliased, unprefix, USER_COLUMNS } from './joined-rows.ts';
import type { Columns } from './joined-rows.ts';

const API_KEY: Columns<ApiKeysTable> = {
  id: true,
  tenant_id: true,
  owner_user_id: true,
  name: true,
  mode: true,
  key_hash: true,
  display_prefix: true,
  permissions: true,
  expires_at: true,
  revoked_at: true,
  last_used_at: true,
  created_at: true,
};

const keyWithOwner = preparedQuery<{ keyHash: string }, Record<string, unknown>>((db, { keyHash }) =>
  db
    .selectFrom('api_keys')
    .leftJoin('users', 'users.id', 'api_keys.owner_user_id')
    .select([...aliased('api_keys', 'k_', API_KEY), ...aliased('users', 'u_', USER_COLUMNS)])
    .where('api_keys.key_hash', '=', keyHash),
);

export interface ApiKeyWithOwner {
  readonly key: ApiKeysTable;
  readonly owner: UsersTable | undefined;
}

export async function findApiKeyWithOwner(db: Database, keyHash: string): Promise<ApiKeyWithOwner | undefined> {
  const [row] = await keyWithOwner.execute(db, { keyHash });
  if (row === undefined) return undefined;
  return { key: unprefix<ApiKeysTable>(row, 'k_', API_KEY), owner: row.u_id == null ? undefined : unprefix<UsersTable>(row, 'u_', USER_COLUMNS) };
}
