/**
 * API keys accepted by exchanging them (RFC 8693) instead of introspecting them: the product's client trades
 * the key at the token endpoint for a short-lived JWT for this resource, verifies it like any access token, and
 * reuses it until shortly before it expires. The IdP narrows the token to the key's and its owner's rights at
 * the moment of the exchange; a key revoked later keeps working here at most until the cached token's end.
 */
import { createHash } from 'node:crypto';
import { IdpUnavailable, InvalidToken } from '../errors.ts';
import type { JWTPayload } from '../jose-seam.ts';
import type { IssuerDiscovery } from './issuer-metadata.ts';
import type { ApiKeyOptions } from './api-key-verifier.ts';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const API_KEY_TOKEN_TYPE = 'urn:latchkey:params:oauth:token-type:api-key';

export interface ApiKeyExchanger {
  /** The exchanged token's verified claims; throws `InvalidToken` when the IdP refuses the key. */
  exchange(key: string): Promise<JWTPayload>;
}

interface Cached {
  readonly claims: JWTPayload | null;
  readonly until: number;
}

const MAX_ENTRIES = 10_000;
/** Renew this long before the exchanged token expires, so a request never carries one about to lapse. */
const RENEW_BEFORE_MS = 30_000;

export function createApiKeyExchanger(
  discovery: IssuerDiscovery,
  options: ApiKeyOptions,
  resource: string,
  verifyJwt: (token: string) => Promise<JWTPayload>,
  fetchImpl: typeof fetch,
  now: () => number,
): ApiKeyExchanger {
  const cache = new Map<string, Cached>();
  const pending = new Map<string, Promise<JWTPayload | null>>();
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64')}`;

  async function ask(key: string): Promise<JWTPayload | null> {
    const metadata = await discovery.metadata();
    let response: Response;
    try {
      response = await fetchImpl(metadata.token_endpoint ?? `${discovery.issuer}/oauth2/token`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: TOKEN_EXCHANGE_GRANT, subject_token: key, subject_token_type: API_KEY_TOKEN_TYPE, resource }).toString(),
      });
    } catch (error) {
      throw new IdpUnavailable(`token exchange failed: ${(error as Error).message}`);
    }
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    // RFC 8693 §2.2.2: the key itself was refused (invalid_request); anything else is the IdP's or our setup's fault.
    if (response.status === 400 && answer.error === 'invalid_request') return null;
    if (!response.ok || typeof answer.access_token !== 'string') throw new IdpUnavailable(`token exchange answered ${response.status} ${String(answer.error ?? '')}`.trim());
    return verifyJwt(answer.access_token);
  }

  return {
    async exchange(key) {
      const id = createHash('sha256').update(key).digest('base64url');
      const hit = cache.get(id);
      let claims: JWTPayload | null;
      if (hit && hit.until > now()) claims = hit.claims;
      else {
        // Concurrent requests with the same key share one exchange.
        let inFlight = pending.get(id);
        if (inFlight === undefined) {
          inFlight = ask(key).finally(() => pending.delete(id));
          pending.set(id, inFlight);
        }
        claims = await inFlight;
        const until = claims === null ? now() + (options.negativeTtlMs ?? 10_000) : (Number(claims.exp) * 1000) - RENEW_BEFORE_MS;
        if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
        cache.set(id, { claims, until });
      }
      if (claims === null) throw new InvalidToken('the API key is unknown, revoked or expired');
      return claims;
    },
  };
}
