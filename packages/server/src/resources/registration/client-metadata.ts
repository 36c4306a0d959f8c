/**
 * RFC 7591 §2 client metadata, checked against the tenant's registration policy. Errors are the RFC 7591 §3.2.2
 * codes: `invalid_redirect_uri` for a redirect URI, `invalid_client_metadata` for anything else. Shared by
 * dynamic registration (and its RFC 7592 updates) and client ID metadata documents, which carry the same fields.
 */
import { ADMIN_SCOPE } from '../../admin/admin-audience.ts';
import { InvalidClientMetadata, InvalidRedirectUri } from '../../errors/oauth-error.ts';
import type { ClientRegistrationPolicy } from './registration-policy.ts';

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/; // RFC 6749 §3.3

/** Metadata as Latchkey keeps it (and answers with). */
export interface ClientMetadata {
  readonly redirect_uris: readonly string[];
  readonly token_endpoint_auth_method: string;
  readonly grant_types: readonly string[];
  readonly response_types: readonly string[];
  readonly client_name: string;
  readonly scope: string;
  readonly client_uri?: string;
  readonly logo_uri?: string;
  readonly tos_uri?: string;
  readonly policy_uri?: string;
  readonly contacts?: readonly string[];
  readonly software_id?: string;
  readonly software_version?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** RFC 8252 §7.3 / §8.3 */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function stringList(value: unknown, name: string, fallback: readonly string[]): readonly string[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.length > 50 || !value.every((v) => typeof v === 'string' && v !== '' && v.length <= 2000)) throw new InvalidClientMetadata(`${name} must be a list of non-empty strings`);
  return [...new Set(value as string[])];
}

function optionalText(metadata: Record<string, unknown>, name: string, max = 200): string | undefined {
  const value = metadata[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > max) throw new InvalidClientMetadata(`${name} must be a string of at most ${max} characters`);
  return value;
}

function optionalHttpsUrl(metadata: Record<string, unknown>, name: string): string | undefined {
  const value = optionalText(metadata, name, 2000);
  if (value === undefined) return undefined;
  if (!URL.canParse(value) || new URL(value).protocol !== 'https:') throw new InvalidClientMetadata(`${name} must be an https URL`);
  return value;
}

/** RFC 7591 §2: absolute, no fragment; a web client (one with a secret) only https or loopback http. */
function checkRedirectUri(uri: string, confidential: boolean, policy: ClientRegistrationPolicy): string {
  const shown = uri.slice(0, 200);
  if (!URL.canParse(uri) || uri.includes('#')) throw new InvalidRedirectUri(`redirect URI "${shown}" must be an absolute URI without a fragment`);
  const url = new URL(uri);
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  if (['javascript', 'data', 'vbscript', 'file', 'blob'].includes(scheme)) throw new InvalidRedirectUri(`redirect URI scheme ${scheme} is not allowed`);
  if (!policy.redirect_uri_schemes.includes(scheme)) throw new InvalidRedirectUri(`redirect URI scheme ${scheme} is not allowed by this server's registration policy`);
  if (scheme === 'http' && !isLoopbackHost(url.hostname)) {
    throw new InvalidRedirectUri(`redirect URI "${shown}" uses plain http on a non-loopback host; use https${confidential ? ' (a web client\'s codes must not travel in clear)' : ''}`);
  }
  return uri;
}

/**
 * Validates metadata for registration. `extraScopes` are scopes the tenant's open API resources define, which a
 * client may name even where the policy's own list does not (an agent asking for an MCP server's scopes).
 */
export function checkClientMetadata(input: unknown, policy: ClientRegistrationPolicy, extraScopes: ReadonlySet<string>): ClientMetadata {
  if (!isRecord(input)) throw new InvalidClientMetadata('the client metadata must be a JSON object');
  const method = input.token_endpoint_auth_method ?? 'client_secret_basic'; // RFC 7591 §2 default
  if (typeof method !== 'string' || !policy.token_endpoint_auth_methods.includes(method)) {
    throw new InvalidClientMetadata(`token_endpoint_auth_method must be one of ${policy.token_endpoint_auth_methods.join(', ')}`);
  }
  const confidential = method !== 'none';
  const grantTypes = stringList(input.grant_types, 'grant_types', ['authorization_code']);
  const refused = grantTypes.filter((g) => !policy.grant_types.includes(g));
  if (refused.length > 0) throw new InvalidClientMetadata(`grant type not allowed for registration here: ${refused.join(', ').slice(0, 300)}`);
  if (!confidential && (grantTypes.includes('client_credentials') || grantTypes.some((g) => g.includes('token-exchange')))) {
    throw new InvalidClientMetadata('a client without a secret (token_endpoint_auth_method none) cannot use client_credentials or token exchange');
  }
  const responseTypes = stringList(input.response_types, 'response_types', grantTypes.includes('authorization_code') ? ['code'] : []);
  if (responseTypes.some((r) => r !== 'code')) throw new InvalidClientMetadata('response_types may only contain code');
  if (grantTypes.includes('authorization_code') !== responseTypes.includes('code')) throw new InvalidClientMetadata('authorization_code and response type code go together (RFC 7591 §2.1)');
  const redirectUris = stringList(input.redirect_uris, 'redirect_uris', []).map((uri) => checkRedirectUri(uri, confidential, policy));
  if (grantTypes.includes('authorization_code') && redirectUris.length === 0) throw new InvalidRedirectUri('redirect_uris is required for the authorization_code grant');
  const scopeText = input.scope ?? policy.scopes.join(' ');
  if (typeof scopeText !== 'string' || scopeText.length > 2000) throw new InvalidClientMetadata('scope must be a space-separated string');
  const scopes = [...new Set(scopeText.split(' ').filter((s) => s !== ''))];
  const notAllowed = scopes.filter((s) => !SCOPE_TOKEN.test(s) || s === ADMIN_SCOPE || (!policy.scopes.includes(s) && !extraScopes.has(s)));
  if (notAllowed.length > 0) throw new InvalidClientMetadata(`scope not allowed for registration here: ${notAllowed.join(' ').slice(0, 300)}`);
  const contacts = input.contacts === undefined ? undefined : stringList(input.contacts, 'contacts', []);
  const name = optionalText(input, 'client_name') ?? 'Registered client';
  const optional: Record<string, string | undefined> = {
    client_uri: optionalHttpsUrl(input, 'client_uri'),
    logo_uri: optionalHttpsUrl(input, 'logo_uri'),
    tos_uri: optionalHttpsUrl(input, 'tos_uri'),
    policy_uri: optionalHttpsUrl(input, 'policy_uri'),
    software_id: optionalText(input, 'software_id'),
    software_version: optionalText(input, 'software_version'),
  };
  return {
    redirect_uris: redirectUris,
    token_endpoint_auth_method: method,
    grant_types: grantTypes,
    response_types: responseTypes,
    client_name: name.trim() === '' ? 'Registered client' : name.trim(),
    scope: scopes.join(' '),
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
    ...(contacts === undefined ? {} : { contacts }),
  };
}
