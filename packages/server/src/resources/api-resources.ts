/**
 * API resources: the APIs of a tenant as directory objects (issue 20). Each has an identifier (an absolute URI,
 * the RFC 8707 `resource` value and the `aud` of its tokens), the scopes it defines, and optionally its own token
 * lifetime and the one signing algorithm it accepts (tokens for it are refused while the tenant signs with another).
 * Clients ask for it only when granted it, or when it is open to every client
 * of the tenant (what dynamically registered agents need, since nobody configures them by hand).
 */
import type { Database } from '../db/database.ts';
import { apiResourceQueries } from '../db/queries/api-resources.ts';
import type { ApiResourceRow } from '../db/queries/api-resources.ts';
import { clientQueries } from '../db/queries/clients.ts';
import { authorizeOnClient } from '../admin/admin-authority.ts';
import type { Actor } from '../admin/admin-authority.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { Conflict, InvalidRequest, NotFound, assert } from '../errors/oauth-error.ts';
import { isSigningAlgorithm } from '../tokens/jose.ts';
import type { SigningAlgorithm } from '../tokens/jose.ts';
import { newId } from '../util/ids.ts';
import { parseJsonArray } from '../util/json.ts';

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/; // RFC 6749 §3.3

export interface ApiResource {
  readonly id: string;
  readonly tenantId: string;
  readonly identifier: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly tokenLifetime: number | null;
  readonly signingAlg: SigningAlgorithm | null;
  readonly allClients: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface ApiResourceInput {
  readonly identifier?: string | undefined;
  readonly name?: string | undefined;
  readonly scopes?: readonly string[] | undefined;
  readonly tokenLifetime?: number | null | undefined;
  readonly signingAlg?: string | null | undefined;
  readonly allClients?: boolean | undefined;
}

export function toApiResource(row: ApiResourceRow): ApiResource {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    identifier: row.identifier,
    name: row.name,
    scopes: parseJsonArray(row.scopes),
    tokenLifetime: row.token_lifetime,
    signingAlg: isSigningAlgorithm(row.signing_alg) ? row.signing_alg : null,
    allClients: row.all_clients === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** RFC 8707 §2: an absolute URI, no fragment. Latchkey also wants http(s) or urn, and no query (aud must be stable). */
export function checkResourceIdentifier(value: unknown): string {
  assert(typeof value === 'string' && value.length > 0 && value.length <= 500, new InvalidRequest('identifier must be an absolute URI of at most 500 characters'));
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new InvalidRequest('identifier must be an absolute URI (RFC 8707 §2)');
  }
  assert(!value.includes('#'), new InvalidRequest('identifier must not have a fragment (RFC 8707 §2)'));
  assert(['https:', 'http:', 'urn:'].includes(parsed.protocol), new InvalidRequest('identifier must be an https, http or urn URI'));
  return value;
}

function checkScopes(value: readonly unknown[]): string[] {
  assert(Array.isArray(value) && value.length <= 200 && value.every((s) => typeof s === 'string' && SCOPE_TOKEN.test(s)), new InvalidRequest('scopes must be a list of RFC 6749 §3.3 scope tokens'));
  return [...new Set(value as string[])];
}

function checkChanges(tenant: Tenant, input: ApiResourceInput): Partial<Omit<ApiResourceRow, 'id' | 'tenant_id' | 'created_at' | 'updated_at'>> {
  const changes: Partial<Omit<ApiResourceRow, 'id' | 'tenant_id' | 'created_at' | 'updated_at'>> = {};
  if (input.identifier !== undefined) changes.identifier = checkResourceIdentifier(input.identifier);
  if (input.name !== undefined) {
    assert(typeof input.name === 'string' && input.name.trim() !== '' && input.name.length <= 200, new InvalidRequest('name must be 1 to 200 characters'));
    changes.name = input.name.trim();
  }
  if (input.scopes !== undefined) changes.scopes = JSON.stringify(checkScopes(input.scopes));
  if (input.tokenLifetime !== undefined) {
    const lifetime = input.tokenLifetime;
    assert(lifetime === null || (Number.isInteger(lifetime) && lifetime >= 1 && lifetime <= 86400), new InvalidRequest('token_lifetime must be null or 1 to 86400 seconds'));
    changes.token_lifetime = lifetime;
  }
  if (input.signingAlg !== undefined) {
    const alg = input.signingAlg;
    assert(alg === null || (isSigningAlgorithm(alg) && tenant.settings.allowed_signing_algs.includes(alg)), new InvalidRequest(`signing_alg must be null or one of the tenant's allowed_signing_algs (${tenant.settings.allowed_signing_algs.join(', ')})`));
    changes.signing_alg = alg;
  }
  if (input.allClients !== undefined) changes.all_clients = input.allClients ? 1 : 0;
  return changes;
}

export async function requireApiResource(db: Database, tenantId: string, id: string): Promise<ApiResource> {
  const row = await apiResourceQueries(db).find(tenantId, id);
  if (row === undefined) throw new NotFound('no such API resource');
  return toApiResource(row);
}

async function assertIdentifierFree(db: Database, tenantId: string, identifier: string, except?: string): Promise<void> {
  const existing = await apiResourceQueries(db).findByIdentifier(tenantId, identifier);
  assert(existing === undefined || existing.id === except, new Conflict(`an API resource with identifier ${identifier} already exists in this tenant`));
}

export async function createApiResource(db: Database, tenant: Tenant, input: ApiResourceInput, now: number): Promise<ApiResource> {
  assert(input.identifier !== undefined, new InvalidRequest('identifier is required'));
  const changes = checkChanges(tenant, { ...input, name: input.name ?? input.identifier, scopes: input.scopes ?? [] });
  await assertIdentifierFree(db, tenant.id, changes.identifier!);
  const row: ApiResourceRow = {
    id: newId('res', now),
    tenant_id: tenant.id,
    identifier: changes.identifier!,
    name: changes.name!,
    scopes: changes.scopes!,
    token_lifetime: changes.token_lifetime ?? null,
    signing_alg: changes.signing_alg ?? null,
    all_clients: changes.all_clients ?? 0,
    created_at: now,
    updated_at: now,
  };
  await apiResourceQueries(db).insert(row);
  return toApiResource(row);
}

export async function updateApiResource(db: Database, tenant: Tenant, id: string, input: ApiResourceInput, now: number): Promise<ApiResource> {
  await requireApiResource(db, tenant.id, id);
  const changes = checkChanges(tenant, input);
  if (changes.identifier !== undefined) await assertIdentifierFree(db, tenant.id, changes.identifier, id);
  await apiResourceQueries(db).update(id, { ...changes, updated_at: now });
  return requireApiResource(db, tenant.id, id);
}

export async function deleteApiResource(db: Database, tenantId: string, id: string): Promise<ApiResource> {
  const resource = await requireApiResource(db, tenantId, id);
  await apiResourceQueries(db).delete(id);
  return resource;
}

/**
 * Grants or withdraws one client's access to the resource; the client must be of the same tenant. It changes
 * what the client's tokens reach, so the actor must act downward on the client (`admin/admin-authority.ts`).
 */
export async function setClientAccess(db: Database, actor: Actor, tenantId: string, resourceId: string, clientId: string, granted: boolean, now: number): Promise<ApiResource> {
  const resource = await requireApiResource(db, tenantId, resourceId);
  const client = await clientQueries(db).findById(clientId);
  if (client === undefined || client.tenantId !== tenantId) throw new NotFound('no such client in this tenant');
  await authorizeOnClient(db, actor, client);
  if (granted) await apiResourceQueries(db).grantClient(resourceId, clientId, now);
  else await apiResourceQueries(db).revokeClient(resourceId, clientId);
  return resource;
}

/** The public view (admin API, CLI `--json`). */
export function describeApiResource(resource: ApiResource, clientIds?: readonly string[]) {
  return {
    id: resource.id,
    tenant_id: resource.tenantId,
    identifier: resource.identifier,
    name: resource.name,
    scopes: resource.scopes,
    token_lifetime: resource.tokenLifetime,
    signing_alg: resource.signingAlg,
    all_clients: resource.allClients,
    ...(clientIds === undefined ? {} : { client_ids: clientIds }),
    created_at: new Date(resource.createdAt).toISOString(),
    updated_at: new Date(resource.updatedAt).toISOString(),
  };
}
