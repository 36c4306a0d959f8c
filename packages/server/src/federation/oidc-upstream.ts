/**
 * The relying-party side of an `oidc` connection, through `openid-client` (OpenID-certified): discovery, PKCE
 * S256, state and nonce always, the code exchange, and every ID token check (signature against the upstream's
 * JWKS, also for tokens from the token endpoint; `alg: none` refused; `iss`, `aud`, `exp`, nonce; RFC 9207 `iss`
 * in the response when advertised).
 * Microsoft Entra's multi-tenant issuers are checked against the `{tenantid}` pattern with the token's `tid`
 * (openid-client does this for login.microsoftonline.com), and `allowed_tenant_ids` narrows the directories.
 * Nothing here is a hand-written JOSE or OAuth check.
 */
import * as client from 'openid-client';
import type { Latchkey } from '../context.ts';
import { importPrivateCryptoKey, isSigningAlgorithm } from '../tokens/jose.ts';
import type { JWK } from '../tokens/jose.ts';
import { LruCache } from '../util/lru-cache.ts';
import { isLoopback, openSecrets } from './connections.ts';
import type { Connection } from './connections.ts';
import { FederationRefused } from './federation-errors.ts';
import { profileFromClaims } from './upstream-profile.ts';
import type { UpstreamProfile } from './upstream-profile.ts';

const DISCOVERY_TTL_MS = 10 * 60 * 1000;
// A discovery document with its client is a few kilobytes: counted as 8 KiB each, at most 1,000 connections.
const CONFIGURATION_BYTES = 8192;
const cacheOptions = { maxBytes: 1000 * CONFIGURATION_BYTES, ttlMs: DISCOVERY_TTL_MS, sizeOf: () => CONFIGURATION_BYTES };
const configurations = new LruCache<string, Promise<client.Configuration>>(cacheOptions);
/** Configurations already resolved, readable without waiting (the sign-in page must not wait on an upstream). */
const resolved = new LruCache<string, client.Configuration>(cacheOptions);

async function clientAuthentication(ctx: Latchkey, connection: Connection): Promise<client.ClientAuth> {
  const secrets = await openSecrets(ctx, { secrets_jwe: connection.secretsJwe });
  switch (connection.settings.client_auth) {
    case 'none':
      return client.None();
    case 'client_secret_post':
      return client.ClientSecretPost(secrets.client_secret);
    case 'private_key_jwt': {
      const jwk = secrets.private_key_jwk as JWK | undefined;
      if (jwk === undefined || !isSigningAlgorithm(jwk.alg)) throw new FederationRefused('connection_unavailable', 'This sign-in method is not fully configured (private key).');
      return client.PrivateKeyJwt({ key: await importPrivateCryptoKey(jwk, jwk.alg), kid: String(jwk.kid) });
    }
    default:
      return client.ClientSecretBasic(secrets.client_secret);
  }
}

/** The upstream's configuration (discovery document, client, authentication), cached per connection version. */
export function upstreamConfiguration(ctx: Latchkey, connection: Connection): Promise<client.Configuration> {
  const key = `${connection.id}:${connection.updatedAt}`;
  let configuration = configurations.get(key);
  if (configuration === undefined) {
    configuration = (async () => {
      const issuer = new URL(connection.settings.issuer!);
      const insecure = issuer.protocol === 'http:' && isLoopback(issuer.hostname);
      const configuration = await client.discovery(issuer, connection.settings.client_id!, undefined, await clientAuthentication(ctx, connection), {
        timeout: 10,
        ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
      });
      // OpenID Connect Core §3.1.3.7 lets a client skip the signature of an ID token from the token endpoint
      // (TLS vouches for it), and openid-client does by default. We check it against the upstream's JWKS anyway:
      // a token signed by any other key must never sign someone in (the security tests pin this).
      client.enableNonRepudiationChecks(configuration);
      return configuration;
    })();
    configuration.then(
      (value: client.Configuration) => resolved.set(key, value),
      () => configurations.delete(key),
    );
    configurations.set(key, configuration);
  }
  return configuration.catch((error: unknown) => {
    throw new FederationRefused('connection_unavailable', 'The sign-in provider could not be reached or its configuration is invalid.', { cause: error });
  });
}

/**
 * The upstream's authorization endpoint if its discovery document is already at hand; otherwise undefined, and
 * discovery starts in the background. The sign-in page uses it for its CSP and never waits on an upstream.
 */
export function knownAuthorizationEndpoint(ctx: Latchkey, connection: Connection): string | undefined {
  const configuration = resolved.get(`${connection.id}:${connection.updatedAt}`);
  if (configuration === undefined) {
    upstreamConfiguration(ctx, connection).catch(() => undefined);
    return undefined;
  }
  return configuration.serverMetadata().authorization_endpoint;
}

export interface OidcStart {
  readonly url: string;
  readonly codeVerifier: string;
  readonly nonce: string;
}

export async function startOidc(ctx: Latchkey, connection: Connection, redirectUri: string, state: (data: { codeVerifier: string; nonce: string }) => Promise<string>, loginHint: string | undefined): Promise<string> {
  const configuration = await upstreamConfiguration(ctx, connection);
  const codeVerifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const parameters: Record<string, string> = {
    redirect_uri: redirectUri,
    scope: (connection.settings.scopes ?? ['openid']).join(' '),
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state: await state({ codeVerifier, nonce }),
    nonce,
  };
  if (loginHint !== undefined) parameters.login_hint = loginHint;
  return client.buildAuthorizationUrl(configuration, parameters).href;
}

/** Exchanges the code and reads the user; every refusal is a FederationRefused with no side effect. */
export async function finishOidc(ctx: Latchkey, connection: Connection, callbackUrl: URL, checks: { codeVerifier: string; nonce: string; state: string }): Promise<UpstreamProfile> {
  const configuration = await upstreamConfiguration(ctx, connection);
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    tokens = await client.authorizationCodeGrant(configuration, callbackUrl, { pkceCodeVerifier: checks.codeVerifier, expectedNonce: checks.nonce, expectedState: checks.state, idTokenExpected: true });
  } catch (error) {
    if (error instanceof client.AuthorizationResponseError) throw new FederationRefused('upstream_error', `The sign-in provider answered: ${error.error}.`, { cause: error });
    throw new FederationRefused('invalid_response', 'The response from the sign-in provider failed validation.', { cause: error });
  }
  const idClaims = tokens.claims();
  if (idClaims === undefined) throw new FederationRefused('invalid_response', 'The sign-in provider sent no ID token.');
  const allowedTenants = connection.settings.allowed_tenant_ids ?? [];
  if (allowedTenants.length > 0 && !allowedTenants.includes(String(idClaims.tid))) throw new FederationRefused('tenant_not_allowed', 'Accounts of this directory may not sign in here.');
  let userinfo: Record<string, unknown> = {};
  if (configuration.serverMetadata().userinfo_endpoint !== undefined) {
    try {
      userinfo = await client.fetchUserInfo(configuration, tokens.access_token, idClaims.sub);
    } catch (error) {
      throw new FederationRefused('invalid_response', 'The sign-in provider\'s user information could not be read.', { cause: error });
    }
  }
  // The ID token is the signed statement; userinfo fills in what it lacks but never overrides it.
  const claims = { ...userinfo, ...idClaims };
  const expiresIn = tokens.expiresIn();
  return {
    ...profileFromClaims(idClaims.sub, claims, connection.settings.claim_mapping),
    amr: Array.isArray(idClaims.amr) ? idClaims.amr.filter((v): v is string => typeof v === 'string') : [],
    tokens: {
      access_token: tokens.access_token,
      token_type: tokens.token_type ?? null,
      refresh_token: tokens.refresh_token ?? null,
      id_token: tokens.id_token ?? null,
      expires_at: expiresIn === undefined ? null : new Date(ctx.now() + expiresIn * 1000).toISOString(),
      scope: tokens.scope ?? null,
    },
  };
}
