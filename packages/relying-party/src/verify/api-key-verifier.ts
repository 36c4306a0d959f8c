/**
 * API keys (`sg_live_…` / `sg_test_…`, seed 003) are opaque: the IdP's RFC 7662 introspection endpoint decides.
 * Answers are cached briefly (positive and negative apart) so a busy API does not introspect every request;
 * the positive TTL bounds how long a revoked key keeps working.
 */
import { createHash } from 'node:crypto';
import { IdpUnavailable, InvalidToken } from '../errors.ts';
import type { IssuerDiscovery } from './issuer-metadata.ts';

/**
 * Turns on API keys for a verifier; the product's client authenticates at the introspection endpoint.
 * @example createVerifier({ issuer, audience, apiKeys: { clientId, clientSecret, prefixes: ['sg'] } });
 */
export interface ApiKeyOptions {
  /** Prefixes that mark an API key (default `['sg']`: `sg_live_…`, `sg_test_…`). */
  readonly prefixes?: readonly string[];
  /** The product's own client at the IdP: introspection is client-authenticated (RFC 7662 §2.1). */
  readonly clientId: string;
  readonly clientSecret: string;
  /** How long an active answer is reused (default 30 s). */
  readonly positiveTtlMs?: number;
  /** How long an inactive answer is reused (default 10 s). */
  readonly negativeTtlMs?: number;
  /** Refuse `_test_` keys (production deployments). */
  readonly liveOnly?: boolean;
  /**
   * Accept keys by exchanging them (RFC 8693) for a short-lived JWT for this verifier's `resource`, cached until
   * shortly before it expires, instead of introspecting them. The client needs the token-exchange grant.
   * @example createVerifier({ issuer, resource: 'https://mail.example.com/api', apiKeys: { clientId, clientSecret, exchange: true } });
   */
  readonly exchange?: boolean;
}

export interface ApiKeyVerifier {
  isApiKey(credential: string): boolean;
  /** The active introspection answer; throws `InvalidToken` for an unknown, revoked or expired key. */
  introspect(key: string): Promise<Record<string, unknown>>;
}

interface CachedAnswer {
  readonly answer: Record<string, unknown> | null;
  readonly until: number;
}

const MAX_ENTRIES = 10_000;

export function createApiKeyVerifier(discovery: IssuerDiscovery, options: ApiKeyOptions, fetchImpl: typeof fetch = fetch, now: () => number = Date.now): ApiKeyVerifier {
  const pattern = new RegExp(`^(?:${(options.prefixes ?? ['sg']).map((p) => p.replace(/[^a-z0-9]/gi, '')).join('|')})_(live|test)_[A-Za-z0-9_-]+$`);
  const cache = new Map<string, CachedAnswer>();
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64')}`;

  async function ask(key: string): Promise<Record<string, unknown> | null> {
    const metadata = await discovery.metadata();
    const endpoint = metadata.introspection_endpoint ?? `${discovery.issuer}/oauth2/introspect`;
    let response: Response;
    try {
      response = await fetchImpl(endpoint, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ token: key, token_type_hint: 'api_key' }).toString(),
      });
    } catch (error) {
      throw new IdpUnavailable(`introspection failed: ${(error as Error).message}`);
    }
    if (!response.ok) throw new IdpUnavailable(`introspection answered ${response.status}`);
    const answer = (await response.json()) as Record<string, unknown>;
    return answer.active === true && typeof answer.sub === 'string' ? answer : null;
  }

  return {
    isApiKey: (credential) => pattern.test(credential),
    async introspect(key) {
      if (options.liveOnly && /_test_/.test(key)) throw new InvalidToken('test API keys are not accepted here');
      const id = createHash('sha256').update(key).digest('base64url');
      const hit = cache.get(id);
      let answer: Record<string, unknown> | null;
      if (hit && hit.until > now()) answer = hit.answer;
      else {
        answer = await ask(key);
        if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
        cache.set(id, { answer, until: now() + (answer ? (options.positiveTtlMs ?? 30_000) : (options.negativeTtlMs ?? 10_000)) });
      }
      if (answer === null) throw new InvalidToken('the API key is unknown, revoked or expired');
      const exp = typeof answer.exp === 'number' ? answer.exp * 1000 : Number.POSITIVE_INFINITY;
      if (exp <= now()) throw new InvalidToken('the API key has expired');
      return answer;
    },
  };
}
