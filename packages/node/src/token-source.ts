/**
 * A token source for server-to-server callers: client credentials (seed 000), or an API key exchanged for a
 * short-lived JWT for one API resource (RFC 8693, with `apiKey` and `resource`). One token shared by every
 * caller, renewed before it expires, one request in flight however many callers ask at once, and 429/5xx
 * retried with backoff that honours `Retry-After`.
 */
import { retryAfterMs } from './retry-after.ts';

export interface TokenSourceOptions {
  /**
   * The token endpoint (`<issuer>/oauth2/token`), or give `issuer` and let discovery find it; the discovered
   * document must name that same issuer before the secret is sent (`TokenRequestError` `issuer_mismatch`).
   */
  readonly tokenEndpoint?: string;
  readonly issuer?: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope?: string;
  /** The API resource (RFC 8707) tokens are for: their `aud`. Required with `apiKey`. */
  readonly resource?: string;
  /**
   * An API key (`sg_live_…`) to exchange for the token instead of asking for the client's own: the token then
   * stands for the key's owner with the key's rights, and the client needs the token-exchange grant.
   * @example createTokenSource({ issuer, clientId, clientSecret, apiKey: process.env.API_KEY!, resource: 'https://mail.example.com/api' })
   */
  readonly apiKey?: string;
  /** Renew this many seconds before expiry (default 60, capped at half the lifetime). */
  readonly refreshBeforeSeconds?: number;
  /** Retries after the first attempt for 429, 5xx and network errors (default 4). */
  readonly maxRetries?: number;
  /** First backoff delay; doubles on each retry, with jitter (default 250 ms). */
  readonly baseDelayMs?: number;
  /** The longest wait a `Retry-After` may impose before the source gives up (default 60 s). */
  readonly maxDelayMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface TokenSource {
  /** A valid access token, fetched or renewed when needed. */
  getToken(): Promise<string>;
  /** Forget the cached token (after the API answered 401 for it). */
  invalidate(): void;
  /** `{ authorization: 'Bearer …' }` for a fetch call. */
  headers(): Promise<{ authorization: string }>;
}

/** The token endpoint refused the client (4xx other than 429): retrying cannot help. */
export class TokenRequestError extends Error {
  override name = 'TokenRequestError';
  readonly status: number;
  readonly error: string;
  constructor(status: number, error: string, description: string) {
    super(`token request failed (${status} ${error}): ${description}`);
    this.status = status;
    this.error = error;
  }
}

interface CachedToken {
  readonly value: string;
  readonly renewAt: number;
  readonly expiresAt: number;
}

const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const API_KEY_TOKEN_TYPE = 'urn:latchkey:params:oauth:token-type:api-key';

const sleeper = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * @example
 * const tokens = createTokenSource({ issuer: 'https://id.example.com/t/acme', clientId, clientSecret, scope: 'openid' });
 * await fetch('https://mail.example.com/v1/mailboxes', { headers: await tokens.headers() });
 */
export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const fetchImpl = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleeper;
  const maxRetries = options.maxRetries ?? 4;
  const baseDelayMs = options.baseDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  let cached: CachedToken | undefined;
  let inFlight: Promise<CachedToken> | undefined;
  let endpoint = options.tokenEndpoint;

  async function tokenEndpoint(): Promise<string> {
    if (endpoint) return endpoint;
    if (!options.issuer) throw new Error('createTokenSource needs tokenEndpoint or issuer');
    const expected = options.issuer.replace(/\/$/, '');
    const response = await fetchImpl(`${expected}/.well-known/openid-configuration`);
    if (!response.ok) throw new Error(`discovery answered ${response.status}`);
    const document = (await response.json()) as { issuer?: unknown; token_endpoint: string };
    // RFC 8414 §3.3: the document must name the issuer it was fetched for, or its token endpoint is not to be
    // trusted with the client secret (a mis-routed host, a spoofed document).
    if (typeof document.issuer !== 'string' || document.issuer.replace(/\/$/, '') !== expected) {
      throw new TokenRequestError(0, 'issuer_mismatch', `discovery at ${expected} names issuer ${String(document.issuer)}; the client secret was not sent`);
    }
    endpoint = document.token_endpoint;
    return endpoint;
  }

  if (options.apiKey !== undefined && options.resource === undefined) throw new Error('createTokenSource with apiKey needs the resource the token is for');

  async function requestOnce(): Promise<Response> {
    const body = new URLSearchParams(
      options.apiKey === undefined
        ? { grant_type: 'client_credentials' }
        : { grant_type: TOKEN_EXCHANGE_GRANT, subject_token: options.apiKey, subject_token_type: API_KEY_TOKEN_TYPE },
    );
    body.set('client_id', options.clientId);
    body.set('client_secret', options.clientSecret);
    if (options.resource) body.set('resource', options.resource);
    if (options.scope) body.set('scope', options.scope);
    return fetchImpl(await tokenEndpoint(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: body.toString() });
  }

  async function fetchToken(): Promise<CachedToken> {
    for (let attempt = 0; ; attempt += 1) {
      let response: Response | undefined;
      let failure: unknown;
      try {
        response = await requestOnce();
      } catch (error) {
        if (error instanceof TokenRequestError) throw error; // a wrong issuer does not get better by retrying
        failure = error;
      }
      if (response?.ok) {
        const body = (await response.json()) as { access_token: string; expires_in?: number };
        const lifetimeMs = (body.expires_in ?? 300) * 1000;
        const earlyMs = Math.min((options.refreshBeforeSeconds ?? 60) * 1000, lifetimeMs / 2);
        const issuedAt = now();
        return { value: body.access_token, renewAt: issuedAt + lifetimeMs - earlyMs, expiresAt: issuedAt + lifetimeMs };
      }
      const retryable = response === undefined || response.status === 429 || response.status >= 500;
      if (!retryable || attempt >= maxRetries) {
        if (response === undefined) throw failure;
        const body = (await response.json().catch(() => ({}))) as { error?: string; error_description?: string };
        throw new TokenRequestError(response.status, body.error ?? 'unknown', body.error_description ?? 'no description');
      }
      await response?.body?.cancel();
      const backoff = baseDelayMs * 2 ** attempt * (0.5 + Math.random() / 2);
      const told = response ? retryAfterMs(response.headers.get('retry-after'), now()) : undefined;
      if (told !== undefined && told > maxDelayMs) throw new TokenRequestError(response?.status ?? 0, 'retry_after_too_long', `the server asked to wait ${told} ms`);
      await sleep(told ?? backoff);
    }
  }

  async function getToken(): Promise<string> {
    const current = cached;
    if (current && now() < current.renewAt) return current.value;
    inFlight ??= fetchToken()
      .then((token) => {
        cached = token;
        return token;
      })
      .finally(() => {
        inFlight = undefined;
      });
    // Renewal failed but the old token is still valid: use it rather than fail the caller.
    if (current && now() < current.expiresAt) return inFlight.then((t) => t.value, () => current.value);
    return (await inFlight).value;
  }

  return {
    getToken,
    invalidate() {
      cached = undefined;
    },
    async headers() {
      return { authorization: `Bearer ${await getToken()}` };
    },
  };
}
