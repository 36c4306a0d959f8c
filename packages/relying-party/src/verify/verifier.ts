/**
 * The bearer verifier a product creates once: JWT access tokens checked offline against the issuer's cached
 * JWKS, API keys checked through introspection; both end as one `Principal`.
 */
import { InvalidToken, MissingCredentials } from '../errors.ts';
import { principalFromClaims, principalFromIntrospection } from '../principal.ts';
import type { Principal } from '../principal.ts';
import { createApiKeyVerifier } from './api-key-verifier.ts';
import type { ApiKeyOptions } from './api-key-verifier.ts';
import { discoverIssuer } from './issuer-metadata.ts';
import type { IssuerDiscovery } from './issuer-metadata.ts';
import { createJwksCache } from './jwks-cache.ts';
import type { JwksCache } from './jwks-cache.ts';
import { createJwtVerifier } from './jwt-verifier.ts';
import { createApiKeyExchanger } from './api-key-exchange.ts';
import { protectedResourceMetadataUrl } from './protected-resource.ts';

/**
 * How to verify: the issuer and audience are required; the rest have safe defaults.
 * @example
 * const options: VerifierOptions = { issuer, audience: 'mail-api', apiKeys: { clientId, clientSecret } };
 */
export interface VerifierOptions {
  /** The tenant's issuer, e.g. `https://id.example.com/t/acme`. */
  readonly issuer: string;
  /**
   * The audience access tokens must carry: the product's client_id or its configured audience. Defaults to
   * `resource` when that is set.
   */
  readonly audience?: string | readonly string[];
  /**
   * This API's RFC 8707 resource identifier (an API resource of the tenant): tokens must carry it as `aud`,
   * `protectedResourceRoute` publishes RFC 9728 metadata for it, and every 401 names that document
   * (`resource_metadata`), so an MCP-style client can find the authorization server on its own.
   */
  readonly resource?: string;
  /** Accepted JWS algorithms; `none` and HS* are always refused. */
  readonly algorithms?: readonly string[];
  /** Tolerated clock skew on exp/nbf in seconds (default 30). */
  readonly clockToleranceSeconds?: number;
  /** Accept API keys (seed 003) and check them with these client credentials. */
  readonly apiKeys?: ApiKeyOptions;
  readonly jwksMaxAgeMs?: number;
  readonly jwksRefetchCooldownMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

/**
 * A verifier made by `createVerifier`; share one per issuer and audience (it holds the JWKS cache).
 * @example const principal = await verifier.verify(token);
 */
export interface Verifier {
  readonly discovery: IssuerDiscovery;
  readonly jwks: JwksCache;
  /** The resource identifier, when created with one. */
  readonly resource?: string;
  /** Its RFC 9728 metadata URL, for `WWW-Authenticate: Bearer resource_metadata="…"`. */
  readonly resourceMetadataUrl?: string;
  /** Verifies one credential (a JWT or an API key). */
  verify(credential: string): Promise<Principal>;
  /** Verifies the credential of an `Authorization` header value (`Bearer …`). */
  authenticate(authorization: string | null | undefined): Promise<Principal>;
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i; // RFC 6750 §2.1 b64token

/** Three dot-separated parts, counted without splitting (jose splits the token once it is verified). */
function isCompactJws(credential: string): boolean {
  const first = credential.indexOf('.');
  const second = first < 0 ? -1 : credential.indexOf('.', first + 1);
  return second > 0 && !credential.includes('.', second + 1);
}

/**
 * Creates the verifier. Nothing is fetched until the first credential arrives.
 * @example
 * const verifier = createVerifier({ issuer: 'https://id.example.com/t/acme', audience: 'mail-api' });
 * const principal = await verifier.authenticate(request.headers.get('authorization'));
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const fetchImpl = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const discovery = discoverIssuer(options.issuer, { fetch: fetchImpl, now });
  const jwks = createJwksCache(async () => (await discovery.metadata()).jwks_uri, {
    fetch: fetchImpl,
    now,
    maxAgeMs: options.jwksMaxAgeMs,
    refetchCooldownMs: options.jwksRefetchCooldownMs,
  });
  const audience = options.audience ?? options.resource;
  if (audience === undefined) throw new TypeError('createVerifier needs an audience or a resource');
  const verifyJwt = createJwtVerifier(jwks, {
    issuer: options.issuer,
    audience,
    algorithms: options.algorithms,
    clockToleranceSeconds: options.clockToleranceSeconds,
    now: options.now,
  });
  const apiKeys = options.apiKeys ? createApiKeyVerifier(discovery, options.apiKeys, fetchImpl, now) : undefined;
  if (options.apiKeys?.exchange && options.resource === undefined) throw new TypeError('apiKeys.exchange needs createVerifier({ resource })');
  const exchanger = options.apiKeys?.exchange ? createApiKeyExchanger(discovery, options.apiKeys, options.resource!, verifyJwt, fetchImpl, now) : undefined;

  async function verify(credential: string): Promise<Principal> {
    if (apiKeys?.isApiKey(credential)) {
      if (options.apiKeys?.liveOnly && /_test_/.test(credential)) throw new InvalidToken('test API keys are not accepted here');
      return exchanger ? principalFromClaims(await exchanger.exchange(credential)) : principalFromIntrospection(await apiKeys.introspect(credential));
    }
    if (!isCompactJws(credential)) throw new InvalidToken('the credential is neither a JWT nor an API key');
    return principalFromClaims(await verifyJwt(credential));
  }

  return {
    discovery,
    jwks,
    ...(options.resource === undefined ? {} : { resource: options.resource, resourceMetadataUrl: protectedResourceMetadataUrl(options.resource) }),
    verify,
    async authenticate(authorization) {
      if (authorization === null || authorization === undefined || authorization.trim() === '') throw new MissingCredentials();
      const match = BEARER.exec(authorization);
      if (!match) {
        if (!/^Bearer\b/i.test(authorization)) throw new MissingCredentials('this resource needs a bearer token');
        throw new InvalidToken('the Authorization header is malformed');
      }
      return await verify(match[1] as string);
    },
  };
}
