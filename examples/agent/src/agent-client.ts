/**
 * What an MCP-style agent does to reach an API it knows nothing about, with nothing configured by hand:
 * 1. call the API, get 401 with `WWW-Authenticate: Bearer resource_metadata="…"` (RFC 9728 §5.1);
 * 2. read that protected-resource metadata: the resource identifier and its authorization server;
 * 3. read the authorization server's RFC 8414 metadata;
 * 4. register: dynamically (RFC 7591), or present a client ID metadata document URL as client_id;
 * 5. authorization code + PKCE (RFC 7636) with `resource` (RFC 8707), then redeem the code with it;
 * 6. call the API with the token.
 * Only `fetch` and `node:crypto`: the protocol is the point.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface ProtectedResourceMetadata {
  readonly resource: string;
  readonly authorization_servers: readonly string[];
  readonly scopes_supported?: readonly string[];
}

export interface AuthorizationServerMetadata {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly registration_endpoint?: string;
  readonly client_id_metadata_document_supported?: boolean;
  readonly code_challenge_methods_supported?: readonly string[];
}

export interface Discovered {
  readonly resource: ProtectedResourceMetadata;
  readonly server: AuthorizationServerMetadata;
}

/** The `resource_metadata` parameter of a Bearer challenge, if any. */
export function resourceMetadataOf(challenge: string | null): string | undefined {
  return challenge === null ? undefined : /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as T;
}

/** RFC 8414 §3.1: the well-known segment goes between the host and the issuer's path. */
export function authorizationServerMetadataUrl(issuer: string): string {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/oauth-authorization-server${path}`;
}

/** Steps 1–3: from an API URL to the resource and authorization server metadata. */
export async function discover(apiUrl: string, init: RequestInit = {}): Promise<Discovered> {
  const probe = await fetch(apiUrl, init);
  await probe.body?.cancel();
  if (probe.status !== 401) throw new Error(`expected 401 from ${apiUrl}, got ${probe.status}`);
  const metadataUrl = resourceMetadataOf(probe.headers.get('www-authenticate'));
  if (metadataUrl === undefined) throw new Error('the 401 names no resource_metadata');
  const resource = await getJson<ProtectedResourceMetadata>(metadataUrl);
  const issuer = resource.authorization_servers[0];
  if (issuer === undefined) throw new Error('the resource names no authorization server');
  const server = await getJson<AuthorizationServerMetadata>(authorizationServerMetadataUrl(issuer));
  // RFC 8414 §3.3: the document must be the issuer's own.
  if (server.issuer !== issuer) throw new Error(`metadata names issuer ${server.issuer}, expected ${issuer}`);
  return { resource, server };
}

/** Step 4, dynamic registration: a native app (no secret) with a loopback redirect URI. */
export async function registerDynamically(server: AuthorizationServerMetadata, redirectUri: string, clientName = 'Example agent'): Promise<string> {
  if (server.registration_endpoint === undefined) throw new Error('this authorization server offers no dynamic registration');
  const response = await fetch(server.registration_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: clientName, redirect_uris: [redirectUri], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' }),
  });
  const body = (await response.json()) as { client_id?: string; error?: string; error_description?: string };
  if (response.status !== 201 || body.client_id === undefined) throw new Error(`registration failed: ${response.status} ${body.error}: ${body.error_description}`);
  return body.client_id;
}

/** What a client ID metadata document for this agent says (served at `clientId`, which is its own URL). */
export function clientMetadataDocument(clientId: string, redirectUri: string, clientName = 'Example agent'): Record<string, unknown> {
  return { client_id: clientId, client_name: clientName, redirect_uris: [redirectUri], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' };
}

export interface AuthorizationRequest {
  readonly url: string;
  readonly state: string;
  readonly verifier: string;
}

/** Step 5a: the authorization URL, bound to the resource (RFC 8707) with PKCE S256. */
export function authorizationRequest(discovered: Discovered, clientId: string, redirectUri: string): AuthorizationRequest {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const url = new URL(discovered.server.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code', client_id: clientId, redirect_uri: redirectUri, state, resource: discovered.resource.resource,
    scope: (discovered.resource.scopes_supported ?? []).join(' '),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
  }).toString();
  return { url: url.href, state, verifier };
}

/** Step 5b: checks the callback (state, iss) and redeems the code for a token for the resource. */
export async function redeemCallback(discovered: Discovered, clientId: string, redirectUri: string, request: AuthorizationRequest, callback: URL): Promise<{ access_token: string; refresh_token?: string; expires_in: number; scope?: string }> {
  if (callback.searchParams.get('state') !== request.state) throw new Error('state mismatch');
  // RFC 9207: the response names its issuer.
  if (callback.searchParams.get('iss') !== discovered.server.issuer) throw new Error('iss mismatch');
  const code = callback.searchParams.get('code');
  if (code === null) throw new Error(`authorization refused: ${callback.searchParams.get('error')} ${callback.searchParams.get('error_description') ?? ''}`);
  const response = await fetch(discovered.server.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: clientId, code_verifier: request.verifier, resource: discovered.resource.resource }).toString(),
  });
  const body = (await response.json()) as { access_token: string; refresh_token?: string; expires_in: number; scope?: string; error?: string; error_description?: string };
  if (!response.ok) throw new Error(`code redemption failed: ${body.error}: ${body.error_description}`);
  return body;
}
