/**
 * RFC 8707 resource indicators: which API resource a token is for. A `resource` names one API resource of the
 * tenant by its identifier; the client must be granted it (or the resource open to every client). The token is
 * then audience-restricted to it (`aud` = the identifier, RFC 8707 §2) and carries only the scopes that resource
 * defines. Latchkey takes one `resource` per request (parameters never repeat here), which RFC 8707 §2 allows:
 * a second one is `invalid_target` rather than a token valid at two services.
 */
import type { Latchkey } from '../context.ts';
import { apiResourceQueries } from '../db/queries/api-resources.ts';
import type { Client } from '../db/queries/clients.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { InvalidTarget } from '../errors/oauth-error.ts';
import { toApiResource } from './api-resources.ts';
import { cachedApiResource } from './token-exchange/cached-lookups.ts';
import type { ApiResource } from './api-resources.ts';

/** RFC 8707 §2: an absolute URI without a fragment; anything else is `invalid_target` before any lookup. */
function isResourceIndicator(value: string): boolean {
  if (value.length > 500 || value.includes('#')) return false;
  return URL.canParse(value);
}

/** The API resource named by `resource`, if this client may ask for it; `invalid_target` otherwise. */
export async function resolveResource(ctx: Latchkey, tenant: Tenant, client: Client, value: string): Promise<ApiResource> {
  if (!isResourceIndicator(value)) throw new InvalidTarget('resource must be an absolute URI without a fragment (RFC 8707 §2)');
  const row = await cachedApiResource(ctx, tenant.id, value);
  if (row === undefined) throw new InvalidTarget(`the resource ${value.slice(0, 200)} is not known in this tenant`);
  // Grants to one client are read afresh: withdrawing one takes effect at the next token.
  if (row.all_clients !== 1 && !(await apiResourceQueries(ctx.db).isClientGranted(row.id, client.clientId))) {
    throw new InvalidTarget(`this client may not request tokens for ${value.slice(0, 200)}`);
  }
  return toApiResource(row);
}

/**
 * The resource of a token request from a user grant (code or refresh): the one requested, which must be one the
 * grant authorized when it authorized any; or, when none is requested, the grant's single resource. A grant
 * made without `resource` may still be narrowed at the token endpoint to a resource the client is granted
 * (RFC 8707 §2.2), its scopes cut to what the resource defines.
 */
export async function resourceForGrant(ctx: Latchkey, tenant: Tenant, client: Client, granted: readonly string[], requested: string | undefined): Promise<ApiResource | undefined> {
  if (requested === undefined) return granted.length === 1 ? resolveResource(ctx, tenant, client, granted[0]!) : undefined;
  if (granted.length > 0 && !granted.includes(requested)) throw new InvalidTarget('the resource was not part of the authorization');
  return resolveResource(ctx, tenant, client, requested);
}

/** The scopes a token for `resource` carries: those requested that the resource defines. */
export function scopeForResource(scope: readonly string[], resource: ApiResource | undefined): string[] {
  return resource === undefined ? [...scope] : scope.filter((s) => resource.scopes.includes(s));
}

/** The stored JSON of a grant's resources (null when none). */
export function grantResources(json: string | null | undefined): string[] {
  if (json === null || json === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
