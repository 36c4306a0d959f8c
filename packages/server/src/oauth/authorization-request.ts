/**
 * Reads and checks an authorization request (RFC 6749 §4.1.1, RFC 7636, OpenID Connect Core §3.1.2.1) in two
 * stages. First the client and its redirect URI: when either is wrong the user sees an error page and is never
 * redirected (RFC 6749 §4.1.2.1). Then everything else: those errors go back to the client with `state` and `iss`.
 * Unknown parameters are ignored.
 */
import type { Latchkey } from '../context.ts';
import { clientQueries } from '../db/queries/clients.ts';
import type { Client } from '../db/queries/clients.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { InvalidRequest, InvalidScope, UnauthorizedClient, UnsupportedResponseType, assert, OAuthError } from '../errors/oauth-error.ts';
import { verifyIdTokenHint } from '../tokens/id-token.ts';
import { resolveResource } from '../resources/resource-indicators.ts';
import { isMetadataDocumentClientId, metadataDocumentClient } from '../resources/registration/metadata-document-clients.ts';
import type { ApiResource } from '../resources/api-resources.ts';
import { splitScope } from './request-params.ts';
import type { Params } from './request-params.ts';

export type ResponseMode = 'query' | 'form_post';

/** Where an authorization response goes; known once the client and redirect URI check out. */
export interface ResponseTarget {
  readonly redirectUri: string;
  readonly responseMode: ResponseMode;
  readonly state: string | undefined;
  readonly issuer: string;
}

/** A validated authorization request, as stored with an interaction (JSON). */
export interface AuthorizationRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly responseMode: ResponseMode;
  readonly scope: readonly string[];
  readonly state?: string;
  readonly nonce?: string;
  readonly codeChallenge?: string;
  readonly prompt: readonly string[];
  /** Seconds (OpenID Connect Core §3.1.2.1). */
  readonly maxAge?: number;
  readonly loginHint?: string;
  /** The `sub` of a valid `id_token_hint`. */
  readonly idTokenHintSubject?: string;
  readonly uiLocales?: string;
  /** RFC 8707: the identifiers of the API resources the client asked for (at most one). */
  readonly resources?: readonly string[];
  /** Acceptable authentication levels (`acr_values`, or the essential `acr` of the `claims` parameter). */
  readonly acrValues?: readonly string[];
  /** A connection to sign in with (`idp_hint`, or Keycloak's `kc_idp_hint`): skips the sign-in page. */
  readonly idpHint?: string;
}

function refused(description: string): OAuthError {
  return new InvalidRequest(description);
}

/** Stage one: the client (of this tenant) and its exact, registered redirect URI. Errors here render a page. */
export async function findClientAndRedirect(ctx: Latchkey, tenant: Tenant, params: Params): Promise<{ client: Client; redirectUri: string }> {
  const clientId = params.get('client_id');
  assert(clientId !== undefined && clientId !== '', refused('the request has no client_id'));
  // A client_id that is a URL names a client ID metadata document; its failures are shown on the error page.
  const client = isMetadataDocumentClientId(clientId)
    ? await metadataDocumentClient(ctx, tenant, clientId)
    : clientId.length <= 128 ? await clientQueries(ctx.db).findById(clientId) : undefined;
  assert(client !== undefined && client.tenantId === tenant.id, refused('the application (client_id) is not known here'));
  const redirectUri = params.get('redirect_uri');
  assert(redirectUri !== undefined && redirectUri !== '', refused('the request has no redirect_uri'));
  // RFC 6749 §3.1.2.3 and OAuth 2.0 Security BCP §4.1.3: exact string comparison, nothing else.
  assert(client.redirectUris.includes(redirectUri), refused('the redirect_uri is not registered for this application'));
  return { client, redirectUri };
}

export function responseModeOf(params: Params): ResponseMode {
  return params.get('response_mode') === 'form_post' ? 'form_post' : 'query';
}

const CODE_CHALLENGE = /^[A-Za-z0-9._~-]{43,128}$/;
const PROMPTS = new Set(['none', 'login', 'consent', 'select_account']);

function checkResponseType(params: Params, client: Client): void {
  const mode = params.get('response_mode');
  assert(mode === undefined || mode === 'query' || mode === 'form_post', refused('response_mode must be query or form_post'));
  assert(params.get('request') === undefined && params.get('request_uri') === undefined, new OAuthError('request_not_supported', 400, 'request objects are not supported'));
  const responseType = params.get('response_type');
  assert(responseType !== undefined && responseType !== '', refused('the request has no response_type'));
  assert(responseType === 'code', new UnsupportedResponseType('only response_type=code is supported'));
  assert(client.grantTypes.includes('authorization_code'), new UnauthorizedClient('this application may not use the authorization code flow'));
}

/** The client's own scopes, and those of the resource it asked for (an agent registered on the fly has none of its own). */
function checkScope(params: Params, client: Client, resource: ApiResource | undefined): string[] {
  const scope = splitScope(params.get('scope'));
  const notAllowed = scope.filter((s) => !client.scopes.includes(s) && !resource?.scopes.includes(s));
  assert(notAllowed.length === 0, new InvalidScope(`scope not allowed for this application: ${notAllowed.join(' ')}`));
  return scope;
}

/** RFC 7636 §4.3; S256 only (RFC 9700 §2.1.1), and mandatory for public clients. */
function checkPkce(params: Params, client: Client): string | undefined {
  const codeChallenge = params.get('code_challenge');
  const method = params.get('code_challenge_method');
  if (codeChallenge === undefined) {
    assert(method === undefined, refused('code_challenge_method without code_challenge'));
    assert(client.type !== 'public', refused('PKCE is required: send code_challenge with code_challenge_method=S256'));
    return undefined;
  }
  assert(method === 'S256', refused(method === undefined || method === 'plain' ? 'code_challenge_method must be S256 (plain is not allowed)' : 'code_challenge_method must be S256'));
  assert(CODE_CHALLENGE.test(codeChallenge), refused('code_challenge must be 43 to 128 characters of base64url'));
  return codeChallenge;
}

function checkPrompt(params: Params): string[] {
  const prompt = splitScope(params.get('prompt'));
  assert(prompt.every((p) => PROMPTS.has(p)), refused('prompt may only contain none, login, consent and select_account'));
  assert(!prompt.includes('none') || prompt.length === 1, refused('prompt=none cannot be combined with other values'));
  return prompt;
}

function readMaxAge(params: Params): number | undefined {
  const text = params.get('max_age');
  if (text === undefined) return undefined;
  assert(/^\d{1,10}$/.test(text), refused('max_age must be a whole number of seconds'));
  return Number(text);
}

/** The subject of `id_token_hint`, which must be an ID token of this issuer (expired is fine). */
async function readIdTokenHint(ctx: Latchkey, tenant: Tenant, params: Params): Promise<string | undefined> {
  const hint = params.get('id_token_hint');
  if (hint === undefined || hint === '') return undefined;
  const verified = await verifyIdTokenHint(ctx, tenant, hint);
  assert(verified !== undefined, refused('id_token_hint is not an ID token this issuer issued'));
  return verified.sub;
}

/**
 * `acr_values` (Core §3.1.2.1) and an essential `acr` request in `claims` (Core §5.5.1.1: `"acr": {"essential":
 * true, "values": [...]}`); other members of `claims` are voluntary and ignored.
 */
function readAcrValues(params: Params): string[] | undefined {
  const values = splitScope(params.get('acr_values'));
  const claims = params.get('claims');
  if (claims !== undefined && claims !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(claims);
    } catch {
      throw refused('claims must be a JSON object');
    }
    assert(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed), refused('claims must be a JSON object'));
    for (const member of ['id_token', 'userinfo'] as const) {
      const acr = (parsed as Record<string, unknown>)[member] as { acr?: { essential?: unknown; value?: unknown; values?: unknown } } | undefined;
      const request = acr !== null && typeof acr === 'object' ? acr.acr : undefined;
      if (request === null || typeof request !== 'object' || request.essential !== true) continue;
      if (typeof request.value === 'string') values.push(request.value);
      if (Array.isArray(request.values)) values.push(...request.values.filter((v): v is string => typeof v === 'string'));
    }
  }
  return values.length === 0 ? undefined : values;
}

/** Stage two: everything else. Errors thrown here are sent back to the client's redirect URI. */
export async function validateAuthorizationRequest(ctx: Latchkey, tenant: Tenant, client: Client, redirectUri: string, params: Params): Promise<AuthorizationRequest> {
  checkResponseType(params, client);
  const text = (name: string) => params.get(name) || undefined;
  const requested = text('resource');
  const resource = requested === undefined ? undefined : await resolveResource(ctx, tenant, client, requested);
  return {
    clientId: client.clientId,
    redirectUri,
    responseMode: responseModeOf(params),
    scope: checkScope(params, client, resource),
    ...(resource === undefined ? {} : { resources: [resource.identifier] }),
    prompt: checkPrompt(params),
    codeChallenge: checkPkce(params, client),
    maxAge: readMaxAge(params),
    idTokenHintSubject: await readIdTokenHint(ctx, tenant, params),
    state: text('state'),
    nonce: text('nonce'),
    loginHint: text('login_hint'),
    uiLocales: text('ui_locales'),
    acrValues: readAcrValues(params),
    idpHint: text('idp_hint') ?? text('kc_idp_hint'),
  };
}
