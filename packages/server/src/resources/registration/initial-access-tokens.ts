/**
 * Initial access tokens (RFC 7591 §3): what a tenant that is not `open` asks of anyone registering a client.
 * Issued by an administrator, shown once, stored as SHA-256; optionally single-use and time-limited; revocable.
 */
import type { Database } from '../../db/database.ts';
import type { InitialAccessTokensTable } from '../../db/schema-resources.ts';
import { InvalidRequest, InvalidToken, NotFound, assert } from '../../errors/oauth-error.ts';
import { generateOpaqueToken, hashSecret } from '../../tokens/opaque.ts';
import { newId } from '../../util/ids.ts';

export type InitialAccessTokenRow = InitialAccessTokensTable;

export async function createInitialAccessToken(db: Database, tenantId: string, input: { name?: string | undefined; singleUse?: boolean | undefined; expiresIn?: number | undefined }, now: number): Promise<{ row: InitialAccessTokenRow; token: string }> {
  const name = (input.name ?? 'initial access token').trim();
  assert(name !== '' && name.length <= 200, new InvalidRequest('name must be 1 to 200 characters'));
  const expiresIn = input.expiresIn;
  assert(expiresIn === undefined || (Number.isInteger(expiresIn) && expiresIn >= 60 && expiresIn <= 365 * 86400), new InvalidRequest('expires_in must be 60 seconds to a year'));
  const token = `lkiat_${generateOpaqueToken(32)}`;
  const row: InitialAccessTokenRow = {
    id: newId('iat', now), tenant_id: tenantId, token_hash: hashSecret(token), name, single_use: input.singleUse ? 1 : 0,
    expires_at: expiresIn === undefined ? null : now + expiresIn * 1000, used_at: null, revoked_at: null, created_at: now,
  };
  await db.insertInto('initial_access_tokens').values(row).execute();
  return { row, token };
}

export async function listInitialAccessTokens(db: Database, tenantId: string): Promise<InitialAccessTokenRow[]> {
  return db.selectFrom('initial_access_tokens').selectAll().where('tenant_id', '=', tenantId).orderBy('id').execute();
}

export async function revokeInitialAccessToken(db: Database, tenantId: string, id: string, now: number): Promise<InitialAccessTokenRow> {
  const row = await db.selectFrom('initial_access_tokens').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw new NotFound('no such initial access token');
  await db.updateTable('initial_access_tokens').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  return { ...row, revoked_at: row.revoked_at ?? now };
}

/**
 * Checks a presented token and, for a single-use one, spends it with one conditional update inside the
 * registration's transaction: of two registrations racing with it exactly one succeeds.
 */
export async function spendInitialAccessToken(db: Database, tenantId: string, token: string, now: number): Promise<InitialAccessTokenRow> {
  const row = token.length <= 200 ? await db.selectFrom('initial_access_tokens').selectAll().where('token_hash', '=', hashSecret(token)).executeTakeFirst() : undefined;
  const refused = new InvalidToken('the initial access token is not valid here', { headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });
  if (row === undefined || row.tenant_id !== tenantId || row.revoked_at !== null) throw refused;
  if (row.expires_at !== null && row.expires_at <= now) throw refused;
  if (row.single_use === 1) {
    const spent = await db.updateTable('initial_access_tokens').set({ used_at: now }).where('id', '=', row.id).where('used_at', 'is', null).executeTakeFirst();
    if (spent.numUpdatedRows === 0n) throw refused;
  }
  return row;
}

export function describeInitialAccessToken(row: InitialAccessTokenRow, token?: string) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: row.id, ...(token === undefined ? {} : { token }), tenant_id: row.tenant_id, name: row.name, single_use: row.single_use === 1,
    expires_at: iso(row.expires_at), used_at: iso(row.used_at), revoked_at: iso(row.revoked_at), created_at: new Date(row.created_at).toISOString(),
  };
}
