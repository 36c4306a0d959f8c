/**
 * RFC 7591 dynamic client registration and RFC 7592 management, per tenant. A registration creates an ordinary
 * client (a secret and a service account when it authenticates, none when `token_endpoint_auth_method` is
 * `none`) plus a registration record holding the metadata and the SHA-256 of its registration access token,
 * the bearer credential for reading, replacing and deleting it. Everything commits with its audit event.
 */
import type { Latchkey } from '../../context.ts';
import type { Database } from '../../db/database.ts';
import type { Client } from '../../db/queries/clients.ts';
import type { Tenant } from '../../db/queries/tenants.ts';
import { recordedChange } from '../../audit/recorded-change.ts';
import type { ChangeActor } from '../../audit/recorded-change.ts';
import { createClient } from '../../directory/clients.ts';
import { deleteClient, requireClient, updateClient } from '../../directory/client-changes.ts';
import { issuerFor } from '../../directory/tenant-directory.ts';
import { InvalidClientMetadata, InvalidToken, OAuthError } from '../../errors/oauth-error.ts';
import { generateOpaqueToken, hashSecret, secretMatchesHash } from '../../tokens/opaque.ts';
import { checkClientMetadata } from './client-metadata.ts';
import type { ClientMetadata } from './client-metadata.ts';
import { spendInitialAccessToken } from './initial-access-tokens.ts';

/** Scopes that open API resources of the tenant define: an agent may register for them without more setup. */
export async function openResourceScopes(db: Database, tenantId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('api_resources').select('scopes').where('tenant_id', '=', tenantId).where('all_clients', '=', 1).execute();
  const scopes = new Set<string>();
  for (const row of rows) for (const scope of JSON.parse(row.scopes) as string[]) scopes.add(scope);
  return scopes;
}

/** The directory's own checks (createClient, updateClient) speak invalid_request; here they are metadata errors. */
async function asMetadataError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof OAuthError && error.error === 'invalid_request') throw new InvalidClientMetadata(error.message);
    throw error;
  }
}

export function registrationClientUri(ctx: Latchkey, tenant: Tenant, clientId: string): string {
  return `${issuerFor(ctx.config.baseUrl, tenant.slug)}/oauth2/register/${encodeURIComponent(clientId)}`;
}

/** RFC 7591 §3.2.1 / RFC 7592 §3 answer. */
function describeRegistration(ctx: Latchkey, tenant: Tenant, client: Client, metadata: ClientMetadata, extra: { secret?: string | undefined; registrationToken?: string | undefined }) {
  return {
    client_id: client.clientId,
    ...(extra.secret === undefined ? {} : { client_secret: extra.secret, client_secret_expires_at: 0 }),
    client_id_issued_at: Math.floor(client.createdAt / 1000),
    ...(extra.registrationToken === undefined ? {} : { registration_access_token: extra.registrationToken }),
    registration_client_uri: registrationClientUri(ctx, tenant, client.clientId),
    ...metadata,
  };
}

export async function registerClient(ctx: Latchkey, tenant: Tenant, body: unknown, initialToken: string | undefined, ip: string) {
  const policy = tenant.settings.client_registration;
  if (!policy.open && initialToken === undefined) {
    throw new InvalidToken('registration here needs an initial access token (Authorization: Bearer …)', { headers: { 'WWW-Authenticate': 'Bearer' } });
  }
  const metadata = checkClientMetadata(body, policy, await openResourceScopes(ctx.db, tenant.id));
  const registrationToken = `lkrat_${generateOpaqueToken(32)}`;
  const now = ctx.now();
  const actor: ChangeActor = { type: initialToken === undefined ? 'anonymous' : 'initial_access_token', id: null, ip };
  const created = await recordedChange(
    ctx,
    actor,
    async (db) => {
      const spent = initialToken === undefined ? undefined : await spendInitialAccessToken(db, tenant.id, initialToken, now);
      const made = await asMetadataError(() =>
        createClient(ctx, tenant, {
          name: metadata.client_name, type: metadata.token_endpoint_auth_method === 'none' ? 'public' : 'confidential',
          grantTypes: metadata.grant_types, redirectUris: metadata.redirect_uris, scopes: metadata.scope.split(' ').filter((s) => s !== ''),
        }, db),
      );
      await db.insertInto('client_registrations').values({
        client_id: made.client.clientId, tenant_id: tenant.id, kind: 'dynamic', registration_token_hash: hashSecret(registrationToken),
        metadata_url: null, metadata: JSON.stringify(metadata), created_at: now, updated_at: now,
      }).execute();
      return { ...made, initialTokenId: spent?.id ?? null };
    },
    (made) => ({ action: 'client.register', tenantId: tenant.id, target: { type: 'client', id: made.client.clientId }, details: { initial_access_token_id: made.initialTokenId, grant_types: metadata.grant_types, token_endpoint_auth_method: metadata.token_endpoint_auth_method } }),
  );
  return describeRegistration(ctx, tenant, created.client, metadata, { secret: created.clientSecret, registrationToken });
}

/** RFC 7592 §2: the registration access token must match the client named in the path; anything else is 401. */
async function authorizeManagement(ctx: Latchkey, tenant: Tenant, clientId: string, token: string | undefined): Promise<{ client: Client; metadata: ClientMetadata }> {
  const refused = new InvalidToken('the registration access token is not valid for this client', { headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });
  if (token === undefined || clientId.length > 128) throw refused;
  const row = await ctx.db.selectFrom('client_registrations').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  if (row === undefined || row.tenant_id !== tenant.id || row.registration_token_hash === null) throw refused;
  if (!secretMatchesHash(token, row.registration_token_hash)) throw refused;
  return { client: await requireClient(ctx.db, tenant.id, clientId), metadata: JSON.parse(row.metadata) as ClientMetadata };
}

export async function readRegistration(ctx: Latchkey, tenant: Tenant, clientId: string, token: string | undefined) {
  const { client, metadata } = await authorizeManagement(ctx, tenant, clientId, token);
  return describeRegistration(ctx, tenant, client, metadata, {});
}

/** RFC 7592 §2.2: the body replaces the metadata; the client id (and secret, if sent) must be the current ones. */
export async function updateRegistration(ctx: Latchkey, tenant: Tenant, clientId: string, token: string | undefined, body: unknown, ip: string) {
  const { client } = await authorizeManagement(ctx, tenant, clientId, token);
  const input = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  if (input === undefined || input.client_id !== clientId) throw new InvalidClientMetadata('the body must be the client metadata with this client_id (RFC 7592 §2.2)');
  if (input.client_secret !== undefined && (typeof input.client_secret !== 'string' || client.secretHash === null || !secretMatchesHash(input.client_secret, client.secretHash))) throw new InvalidClientMetadata('client_secret does not match');
  const { client_id: _id, client_secret: _secret, registration_access_token: _token, registration_client_uri: _uri, client_id_issued_at: _at, client_secret_expires_at: _exp, ...fields } = input;
  const metadata = checkClientMetadata(fields, tenant.settings.client_registration, await openResourceScopes(ctx.db, tenant.id));
  if ((metadata.token_endpoint_auth_method === 'none') !== (client.type === 'public')) throw new InvalidClientMetadata('token_endpoint_auth_method cannot change between none and a secret; register a new client');
  const now = ctx.now();
  const updated = await recordedChange(
    ctx,
    { type: 'registration_access_token', id: clientId, ip },
    async (db) => {
      const current = await requireClient(db, tenant.id, clientId);
      const result = await asMetadataError(() => updateClient(db, current, { name: metadata.client_name, redirectUris: metadata.redirect_uris, grantTypes: metadata.grant_types, scopes: metadata.scope.split(' ').filter((s) => s !== '') }, now));
      await db.updateTable('client_registrations').set({ metadata: JSON.stringify(metadata), updated_at: now }).where('client_id', '=', clientId).execute();
      return result.client;
    },
    (c) => ({ action: 'client.registration.update', tenantId: tenant.id, target: { type: 'client', id: c.clientId } }),
  );
  return describeRegistration(ctx, tenant, updated, metadata, {});
}

export async function deleteRegistration(ctx: Latchkey, tenant: Tenant, clientId: string, token: string | undefined, ip: string): Promise<void> {
  await authorizeManagement(ctx, tenant, clientId, token);
  await recordedChange(ctx, { type: 'registration_access_token', id: clientId, ip }, (db) => deleteClient(db, tenant.id, clientId), (c) => ({ action: 'client.registration.delete', tenantId: tenant.id, target: { type: 'client', id: c.clientId } }));
}
