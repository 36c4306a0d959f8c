/**
 * API keys: created for a user or a service account, shown once, stored as SHA-256, optionally limited to a
 * subset of the owner's permissions and to a time, revocable. At every use the key's permissions are the
 * intersection of its subset and what the owner holds now, so a key never outgrows its owner.
 *
 * Live and test keys: `<prefix>_live_…` and `<prefix>_test_…` behave the same, and answers say which mode the
 * key is. A tenant with `require_live_api_keys` refuses test keys, both when they are created and when they are
 * used (test keys made before the setting was turned on stop working).
 */
import type { Latchkey } from '../context.ts';
import type { Database } from '../db/database.ts';
import { findApiKeyWithOwner } from '../db/queries/api-key-lookup.ts';
import { apiKeyQueries } from '../db/queries/api-keys.ts';
import type { ApiKeyRow } from '../db/queries/api-keys.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import type { UserRow } from '../db/queries/users.ts';
import { recordAuditEvent } from '../audit/audit-log.ts';
import { InvalidRequest, NotFound, assert } from '../errors/oauth-error.ts';
import { generateApiKey, parseApiKey } from '../tokens/api-key-format.ts';
import type { ApiKeyMode } from '../tokens/api-key-format.ts';
import { hashSecret } from '../tokens/opaque.ts';
import { newId } from '../util/ids.ts';
import { parseJsonArray } from '../util/json.ts';
import { resolveAccess } from './access.ts';
import type { Access } from './access.ts';
import { apiKeyUsageFor } from './api-key-usage.ts';
import { checkPermissions } from './roles.ts';
import { requireUser } from './users.ts';

export interface CreateApiKeyInput {
  readonly ownerUserId: string;
  readonly name?: string | undefined;
  readonly mode?: ApiKeyMode | undefined;
  /** Null or absent: everything the owner holds, now and later. */
  readonly permissions?: readonly string[] | null | undefined;
  readonly expiresAt?: number | null | undefined;
}

export interface CreatedApiKey {
  readonly row: ApiKeyRow;
  /** Shown once. */
  readonly key: string;
}

export async function createApiKey(db: Database, tenant: Tenant, input: CreateApiKeyInput, now: number): Promise<CreatedApiKey> {
  const mode = input.mode ?? 'live';
  assert(mode === 'live' || mode === 'test', new InvalidRequest('mode must be live or test'));
  assert(!(mode === 'test' && tenant.settings.require_live_api_keys), new InvalidRequest('this tenant requires live API keys; test keys are refused'));
  const name = input.name ?? 'API key';
  assert(typeof name === 'string' && name.trim() !== '' && name.length <= 200, new InvalidRequest('name must be 1 to 200 characters'));
  const expiresAt = input.expiresAt ?? null;
  assert(expiresAt === null || (Number.isInteger(expiresAt) && expiresAt > now), new InvalidRequest('expires_at must be in the future'));
  const owner = await requireUser(db, tenant.id, input.ownerUserId);
  assert(owner.status === 'active', new InvalidRequest('the owner is not active'));
  let permissions: string[] | null = null;
  if (input.permissions !== undefined && input.permissions !== null) {
    permissions = checkPermissions(input.permissions);
    const held = new Set((await resolveAccess(db, owner.id)).permissions);
    const beyond = permissions.filter((p) => !held.has(p));
    assert(beyond.length === 0, new InvalidRequest(`an API key cannot hold permissions its owner lacks: ${beyond.join(', ')}`));
  }
  const { key, displayPrefix } = generateApiKey(tenant.settings.api_key_prefix, mode);
  const row: ApiKeyRow = {
    id: newId('key', now),
    tenant_id: tenant.id,
    owner_user_id: owner.id,
    name: name.trim(),
    mode,
    key_hash: hashSecret(key),
    display_prefix: displayPrefix,
    permissions: permissions === null ? null : JSON.stringify(permissions),
    expires_at: expiresAt,
    revoked_at: null,
    last_used_at: null,
    created_at: now,
  };
  await apiKeyQueries(db).insert(row);
  return { row, key };
}

export async function requireApiKey(db: Database, tenantId: string, id: string): Promise<ApiKeyRow> {
  const row = await apiKeyQueries(db).find(tenantId, id);
  if (!row) throw new NotFound('no such API key');
  return row;
}

/** Revokes the key; revoking a revoked key is a no-op that still answers with the key. */
export async function revokeApiKey(db: Database, tenantId: string, id: string, now: number): Promise<ApiKeyRow> {
  await requireApiKey(db, tenantId, id);
  await apiKeyQueries(db).revoke(id, now);
  return requireApiKey(db, tenantId, id);
}

export type ApiKeyRefusal = 'malformed' | 'unknown' | 'revoked' | 'expired' | 'owner_inactive' | 'test_key_refused' | 'tenant_unknown';

export type ApiKeyCheck =
  | { readonly ok: true; readonly key: ApiKeyRow; readonly owner: UserRow; readonly tenant: Tenant; readonly access: Access; readonly permissions: readonly string[] }
  | { readonly ok: false; readonly reason: ApiKeyRefusal; readonly key?: ApiKeyRow };

/**
 * Checks a presented key: format and checksum (no database work for garbage), then the stored hash, revocation,
 * expiry, the owner's status and the tenant's live-key rule. A refused known key is an audit event
 * (`api_key.use_denied`); an accepted use is noted for the batched `last_used_at`. With `tenantId`, a key of
 * another tenant is answered as unknown before anything is recorded.
 */
export async function authenticateApiKey(ctx: Latchkey, presented: string, ip: string | null = null, tenantId?: string): Promise<ApiKeyCheck> {
  const parsed = parseApiKey(presented);
  if (!parsed) return { ok: false, reason: 'malformed' };
  // The key and its owner in one read (`api-key-lookup.ts`).
  const found = await findApiKeyWithOwner(ctx.db, hashSecret(presented));
  // Asked on behalf of another tenant (its client introspecting): unknown there, and nothing is recorded in the
  // key's own tenant, neither a use nor a refusal (issue 13, 10).
  if (!found || (tenantId !== undefined && found.key.tenant_id !== tenantId)) return { ok: false, reason: 'unknown' };
  const { key, owner } = found;
  const refuse = async (reason: ApiKeyRefusal): Promise<ApiKeyCheck> => {
    await recordAuditEvent(ctx, {
      action: 'api_key.use_denied',
      outcome: 'failure',
      tenantId: key.tenant_id,
      actor: { type: 'api_key', id: key.id },
      target: { type: 'user', id: key.owner_user_id },
      ip,
      details: { reason },
    });
    return { ok: false, reason, key };
  };
  const now = ctx.now();
  if (key.revoked_at !== null) return refuse('revoked');
  if (key.expires_at !== null && key.expires_at <= now) return refuse('expired');
  const tenant = await ctx.tenants.byId(key.tenant_id);
  if (!tenant) return { ok: false, reason: 'tenant_unknown', key };
  if (key.mode === 'test' && tenant.settings.require_live_api_keys) return refuse('test_key_refused');
  if (!owner || owner.status !== 'active') return refuse('owner_inactive');
  const access = await resolveAccess(ctx.db, owner.id);
  const permissions = effectiveKeyPermissions(key, access);
  apiKeyUsageFor(ctx).record(key.id, now);
  return { ok: true, key, owner, tenant, access, permissions };
}

/** The key's subset intersected with what the owner holds now (all of it when the key has no subset). */
export function effectiveKeyPermissions(key: Pick<ApiKeyRow, 'permissions'>, access: Pick<Access, 'permissions'>): string[] {
  if (key.permissions === null) return [...access.permissions];
  const held = new Set(access.permissions);
  return parseJsonArray(key.permissions).filter((p) => held.has(p));
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** The public view of a key; the key itself only right after creation. */
export function describeApiKey(row: ApiKeyRow, key?: string) {
  return {
    id: row.id,
    ...(key === undefined ? {} : { key }),
    tenant_id: row.tenant_id,
    owner_user_id: row.owner_user_id,
    name: row.name,
    mode: row.mode,
    display_prefix: row.display_prefix,
    permissions: row.permissions === null ? null : parseJsonArray(row.permissions),
    expires_at: iso(row.expires_at),
    revoked_at: iso(row.revoked_at),
    last_used_at: iso(row.last_used_at),
    created_at: new Date(row.created_at).toISOString(),
  };
}
