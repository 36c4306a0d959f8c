/**
 * Client (application) registration: validation, secret generation and rotation, and the service account that
 * is the subject of a confidential client's client_credentials tokens.
 */
import type { Latchkey } from '../context.ts';
import type { Database } from '../db/database.ts';
import { inTransaction } from '../db/transaction.ts';
import { clientQueries } from '../db/queries/clients.ts';
import type { Client } from '../db/queries/clients.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import type { ClientType } from '../db/schema.ts';
import { InvalidRequest, NotFound } from '../errors/oauth-error.ts';
import { generateOpaqueToken, hashSecret } from '../tokens/opaque.ts';
import { newId, randomAlphanumeric } from '../util/ids.ts';

export const SUPPORTED_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials', 'password', 'urn:ietf:params:oauth:grant-type:token-exchange'] as const;
export const TOKEN_CLAIM_OPTIONS = ['groups', 'roles', 'permissions', 'tenant_id', 'tenant_slug', 'partner_id'] as const;
export const DEFAULT_TOKEN_CLAIMS = ['groups', 'tenant_id'] as const;
export const DEFAULT_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/; // RFC 6749 §3.3 scope-token

export interface CreateClientInput {
  readonly name: string;
  readonly type?: ClientType;
  readonly grantTypes?: readonly string[];
  readonly redirectUris?: readonly string[];
  readonly postLogoutRedirectUris?: readonly string[];
  readonly scopes?: readonly string[];
  readonly audience?: string | null;
  readonly tokenClaims?: readonly string[];
  /** RFC 7591 §2 client metadata the sign-in page shows; https only. */
  readonly logoUri?: string | null | undefined;
  readonly policyUri?: string | null | undefined;
  readonly tosUri?: string | null | undefined;
}

/** `logo_uri`, `policy_uri`, `tos_uri`: an https URL (the browser loads the logo, the CSP names its origin) or null. */
export function validateClientPageUri(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  let url: URL | undefined;
  try {
    url = typeof value === 'string' && value.length <= 2000 ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || url.protocol !== 'https:' || url.username !== '' || url.password !== '') throw new InvalidRequest(`${field} must be an https URL`);
  return url.href;
}

export interface CreatedClient {
  readonly client: Client;
  /** Shown once; only its SHA-256 is stored. Absent for public clients. */
  readonly clientSecret?: string;
}

/** An absolute URI without a fragment (RFC 6749 §3.1.2); http(s) or a private-use scheme for native apps. */
export function validateRedirectUri(uri: string, field: string): string {
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    throw new InvalidRequest(`${field}: "${uri.slice(0, 200)}" is not an absolute URI`);
  }
  if (parsed.hash !== '' || uri.includes('#')) throw new InvalidRequest(`${field}: "${uri.slice(0, 200)}" must not have a fragment`);
  if (/^(javascript|data|vbscript|file):$/i.test(parsed.protocol)) throw new InvalidRequest(`${field}: scheme ${parsed.protocol} is not allowed`);
  if (uri.length > 2000) throw new InvalidRequest(`${field}: too long`);
  return uri;
}

/** RFC 8252 §7.3 / §8.3: the loopback interface, where an http redirect never leaves the machine. */
function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * A web (confidential) client's codes must not travel over plain http to another machine (RFC 6749 §3.1.2.1,
 * RFC 9700 §4.1): http is refused there except on loopback hosts. Native and browser (public) apps keep loopback
 * http and private-use schemes (RFC 8252 §7).
 */
export function checkRedirectUriForType(uri: string, type: ClientType, field: string): string {
  const parsed = new URL(uri);
  if (type === 'confidential' && parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname)) {
    throw new InvalidRequest(`${field}: "${uri.slice(0, 200)}" uses plain http on a non-loopback host; a web client's redirect URI must use https`);
  }
  return uri;
}

function uniqueStrings(values: readonly unknown[] | undefined, field: string): string[] {
  if (values === undefined) return [];
  if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) throw new InvalidRequest(`${field} must be a list of strings`);
  return [...new Set(values as string[])];
}

/** `db` may be the caller's transaction (admin changes commit with their audit event). */
export async function createClient(ctx: Latchkey, tenant: Tenant, input: CreateClientInput, db: Database = ctx.db): Promise<CreatedClient> {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name === '' || name.length > 200) throw new InvalidRequest('name must be 1 to 200 characters');
  const type: ClientType = input.type ?? 'confidential';
  if (type !== 'confidential' && type !== 'public') throw new InvalidRequest('type must be confidential or public');
  const redirectUris = uniqueStrings(input.redirectUris, 'redirect_uris').map((u) => checkRedirectUriForType(validateRedirectUri(u, 'redirect_uris'), type, 'redirect_uris'));
  const postLogout = uniqueStrings(input.postLogoutRedirectUris, 'post_logout_redirect_uris').map((u) => validateRedirectUri(u, 'post_logout_redirect_uris'));
  const requestedGrants = uniqueStrings(input.grantTypes, 'grant_types');
  const grantTypes =
    requestedGrants.length > 0
      ? requestedGrants
      : type === 'public'
        ? ['authorization_code', 'refresh_token']
        : redirectUris.length > 0
          ? ['authorization_code', 'refresh_token', 'client_credentials']
          : ['client_credentials'];
  for (const grant of grantTypes) {
    if (!(SUPPORTED_GRANT_TYPES as readonly string[]).includes(grant)) {
      throw new InvalidRequest(`grant type "${grant}" is not supported (use ${SUPPORTED_GRANT_TYPES.join(', ')})`);
    }
  }
  if (type === 'public' && grantTypes.includes('client_credentials')) {
    throw new InvalidRequest('a public client cannot use client_credentials: it has no secret');
  }
  if (grantTypes.includes('authorization_code') && redirectUris.length === 0) {
    throw new InvalidRequest('authorization_code needs at least one redirect URI');
  }
  const scopes = input.scopes === undefined ? [...DEFAULT_SCOPES] : uniqueStrings(input.scopes, 'scopes');
  for (const scope of scopes) if (!SCOPE_TOKEN.test(scope)) throw new InvalidRequest(`scope "${scope}" has characters RFC 6749 §3.3 does not allow`);
  const tokenClaims = input.tokenClaims === undefined ? [...DEFAULT_TOKEN_CLAIMS] : uniqueStrings(input.tokenClaims, 'token_claims');
  for (const claim of tokenClaims) {
    if (!(TOKEN_CLAIM_OPTIONS as readonly string[]).includes(claim)) throw new InvalidRequest(`token claim "${claim}" is not one of ${TOKEN_CLAIM_OPTIONS.join(', ')}`);
  }
  if (input.audience != null && (typeof input.audience !== 'string' || input.audience === '' || input.audience.length > 500)) {
    throw new InvalidRequest('audience must be a non-empty string');
  }

  const pageLinks = { logo_uri: validateClientPageUri(input.logoUri, 'logo_uri'), policy_uri: validateClientPageUri(input.policyUri, 'policy_uri'), tos_uri: validateClientPageUri(input.tosUri, 'tos_uri') };

  const now = ctx.now();
  const clientId = randomAlphanumeric(32);
  const clientSecret = type === 'confidential' ? generateOpaqueToken(32) : undefined;
  await inTransaction(db, async (trx) => {
    let serviceUserId: string | null = null;
    if (type === 'confidential') {
      serviceUserId = newId('usr', now);
      const username = `service-account-${clientId}`;
      await trx
        .insertInto('users')
        .values({
          id: serviceUserId,
          tenant_id: tenant.id,
          kind: 'service',
          email: null,
          email_normalized: null,
          username,
          username_normalized: username,
          first_name: null,
          last_name: null,
          display_name: name,
          status: 'active',
          password_hash: null,
          role: null,
          admin_role: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
    }
    await clientQueries(trx).insert({
      client_id: clientId,
      tenant_id: tenant.id,
      name,
      type,
      secret_hash: clientSecret === undefined ? null : hashSecret(clientSecret),
      secret_created_at: clientSecret === undefined ? null : now,
      redirect_uris: JSON.stringify(redirectUris),
      post_logout_redirect_uris: JSON.stringify(postLogout),
      grant_types: JSON.stringify(grantTypes),
      scopes: JSON.stringify(scopes),
      audience: input.audience ?? null,
      token_claims: JSON.stringify(tokenClaims),
      service_user_id: serviceUserId,
      ...pageLinks,
      created_at: now,
      updated_at: now,
    });
  });
  const client = await clientQueries(db).findById(clientId);
  if (!client) throw new Error('client vanished after insert');
  return clientSecret === undefined ? { client } : { client, clientSecret };
}

/** Issues a new secret; the old one stops working at once. */
export async function rotateClientSecret(ctx: Latchkey, clientId: string, db: Database = ctx.db): Promise<CreatedClient> {
  const queries = clientQueries(db);
  const client = await queries.findById(clientId);
  if (!client) throw new NotFound(`no client "${clientId.slice(0, 64)}"`);
  if (client.type !== 'confidential') throw new InvalidRequest('a public client has no secret to rotate');
  const clientSecret = generateOpaqueToken(32);
  await queries.setSecretHash(clientId, hashSecret(clientSecret), ctx.now());
  return { client: (await queries.findById(clientId)) ?? client, clientSecret };
}

/** The public view of a client (CLI `--json`, admin API); the secret only when just created or rotated. */
export function describeClient(client: Client, tenant: Pick<Tenant, 'slug'>, clientSecret?: string) {
  return {
    client_id: client.clientId,
    ...(clientSecret === undefined ? {} : { client_secret: clientSecret }),
    tenant: tenant.slug,
    tenant_id: client.tenantId,
    name: client.name,
    type: client.type,
    grant_types: client.grantTypes,
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    scopes: client.scopes,
    audience: client.audience ?? client.clientId,
    token_claims: client.tokenClaims,
    service_account_id: client.serviceUserId,
    logo_uri: client.logoUri,
    policy_uri: client.policyUri,
    tos_uri: client.tosUri,
    token_endpoint_auth_method: client.type === 'public' ? 'none' : 'client_secret_basic',
    created_at: new Date(client.createdAt).toISOString(),
    updated_at: new Date(client.updatedAt).toISOString(),
  };
}
