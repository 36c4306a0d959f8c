/**
 * OAuth Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, what MCP uses): a client
 * whose `client_id` is an https URL is described by the JSON document at that URL. Where the tenant turned it on,
 * the document is fetched (`metadata-fetcher.ts`), must name itself (`client_id` equal to the URL, character for
 * character), and passes the same metadata checks as dynamic registration, restricted to what a keyless client
 * may be: no secret (`none`), code and refresh grants. It becomes a public client of the tenant (an ordinary row,
 * so codes, grants and consents work unchanged), updated whenever a fresh fetch changes it; a changed document
 * ends earlier consents like any client change does. The URL stays the client's public id (`client_id` claim).
 * Any failure is `invalid_client` with the reason.
 */
import type { Latchkey } from '../../context.ts';
import { clientQueries } from '../../db/queries/clients.ts';
import type { Client } from '../../db/queries/clients.ts';
import type { Tenant } from '../../db/queries/tenants.ts';
import { recordAuditEvent } from '../../audit/audit-log.ts';
import { createClient } from '../../directory/clients.ts';
import { updateClient } from '../../directory/client-changes.ts';
import { InvalidClient, OAuthError } from '../../errors/oauth-error.ts';
import { checkClientMetadata } from './client-metadata.ts';
import type { ClientMetadata } from './client-metadata.ts';
import { openResourceScopes } from './dynamic-registration.ts';
import { fetchMetadataDocument, MetadataFetchError } from './metadata-fetcher.ts';

const MAX_CACHED = 1000;
const MAX_URL_LENGTH = 512;

interface Cached {
  readonly client: Client;
  readonly freshUntil: number;
}

const caches = new WeakMap<Latchkey, Map<string, Cached>>();

function cacheOf(ctx: Latchkey): Map<string, Cached> {
  let cache = caches.get(ctx);
  if (cache === undefined) caches.set(ctx, (cache = new Map()));
  return cache;
}

/** Whether a presented client_id is meant as a metadata document URL (then it is never looked up as an id). */
export function isMetadataDocumentClientId(clientId: string): boolean {
  return clientId.startsWith('https://') || clientId.startsWith('http://');
}

function refuse(reason: string): OAuthError {
  return new InvalidClient(`the client metadata document cannot be used: ${reason}`);
}

function checkDocument(ctx: Latchkey, tenant: Tenant, url: string, body: unknown, extraScopes: ReadonlySet<string>): ClientMetadata {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw refuse('it is not a JSON object');
  const document = body as Record<string, unknown>;
  if (document.client_id !== url) throw refuse('its client_id is not the URL it was fetched from');
  if (document.client_secret !== undefined) throw refuse('a metadata document must not carry a client_secret');
  const policy = {
    ...tenant.settings.client_registration,
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_methods: ['none'],
    redirect_uri_schemes: ctx.config.clientMetadataLoopback === 'true' ? ['https', 'http'] : tenant.settings.client_registration.redirect_uri_schemes,
  };
  const { client_id: _id, ...fields } = document;
  try {
    return checkClientMetadata({ token_endpoint_auth_method: 'none', ...fields }, policy, extraScopes);
  } catch (error) {
    if (error instanceof OAuthError) throw refuse(error.message);
    throw error;
  }
}

async function storeClient(ctx: Latchkey, tenant: Tenant, url: string, document: ClientMetadata): Promise<Client> {
  const now = ctx.now();
  // Anyone can publish a document named "Your Bank": the consent page shows the host the document came from.
  const metadata = { ...document, client_name: `${document.client_name} (${new URL(url).host})`.slice(0, 200) };
  const scopes = metadata.scope.split(' ').filter((s) => s !== '');
  const existing = await ctx.db.selectFrom('client_registrations').select('client_id').where('tenant_id', '=', tenant.id).where('metadata_url', '=', url).executeTakeFirst();
  if (existing !== undefined) {
    const current = await clientQueries(ctx.db).findById(existing.client_id);
    if (current !== undefined) {
      const same = JSON.stringify([current.name, current.redirectUris, current.grantTypes, current.scopes]) === JSON.stringify([metadata.client_name, metadata.redirect_uris, metadata.grant_types, scopes]);
      if (same) return current;
      const updated = await ctx.db.transaction().execute(async (trx) => {
        const result = await updateClient(trx, current, { name: metadata.client_name, redirectUris: metadata.redirect_uris, grantTypes: metadata.grant_types, scopes }, now);
        await trx.updateTable('client_registrations').set({ metadata: JSON.stringify(metadata), updated_at: now }).where('client_id', '=', current.clientId).execute();
        return result.client;
      });
      await recordAuditEvent(ctx, { action: 'client.metadata_document.update', tenantId: tenant.id, actor: { type: 'metadata_document', id: url }, target: { type: 'client', id: updated.clientId } });
      return updated;
    }
  }
  try {
    const created = await ctx.db.transaction().execute(async (trx) => {
      const made = await createClient(ctx, tenant, { name: metadata.client_name, type: 'public', grantTypes: metadata.grant_types, redirectUris: metadata.redirect_uris, scopes }, trx);
      await trx.insertInto('client_registrations').values({
        client_id: made.client.clientId, tenant_id: tenant.id, kind: 'metadata_document', registration_token_hash: null,
        metadata_url: url, metadata: JSON.stringify(metadata), created_at: now, updated_at: now,
      }).execute();
      return made.client;
    });
    await recordAuditEvent(ctx, { action: 'client.metadata_document.register', tenantId: tenant.id, actor: { type: 'metadata_document', id: url }, target: { type: 'client', id: created.clientId } });
    return created;
  } catch (error) {
    // Another request registered the same document first (unique per tenant and URL): use that one.
    const winner = await ctx.db.selectFrom('client_registrations').select('client_id').where('tenant_id', '=', tenant.id).where('metadata_url', '=', url).executeTakeFirst();
    const client = winner && (await clientQueries(ctx.db).findById(winner.client_id));
    if (client) return client;
    throw error;
  }
}

/**
 * The client a metadata-document client_id stands for in this tenant, fetched or from the cache while fresh.
 * Undefined is never returned: a tenant without the feature, a bad URL or a bad document is `invalid_client`.
 */
export async function metadataDocumentClient(ctx: Latchkey, tenant: Tenant, url: string): Promise<Client> {
  if (!tenant.settings.client_id_metadata_documents) throw new InvalidClient('client_id metadata documents are not accepted by this tenant');
  if (url.length > MAX_URL_LENGTH || !URL.canParse(url)) throw refuse('the client_id is not a valid URL');
  const parsed = new URL(url);
  if (parsed.pathname === '/' || parsed.search !== '' || parsed.href !== url) throw refuse('the client_id URL must have a path, no query string, and be in normal form');
  const cache = cacheOf(ctx);
  const key = `${tenant.id}\u0000${url}`;
  const now = ctx.now();
  const hit = cache.get(key);
  if (hit !== undefined && hit.freshUntil > now) return hit.client;
  let fetched;
  try {
    fetched = await fetchMetadataDocument(url, { allowLoopback: ctx.config.clientMetadataLoopback === 'true', now });
  } catch (error) {
    if (error instanceof MetadataFetchError) throw refuse(error.message);
    throw error;
  }
  const metadata = checkDocument(ctx, tenant, url, fetched.body, await openResourceScopes(ctx.db, tenant.id));
  const client: Client = { ...(await storeClient(ctx, tenant, url, metadata)), metadataUrl: url };
  cache.delete(key);
  if (fetched.freshUntil > now) {
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(key, { client, freshUntil: fetched.freshUntil });
  }
  return client;
}
