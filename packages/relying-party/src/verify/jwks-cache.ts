/**
 * The issuer's signing keys, cached. A token with an unknown `kid` triggers one refetch (the issuer may have
 * rotated), but refetches are rate-limited so a stream of forged kids cannot turn into a stream of requests.
 */
import type { JWK } from '../jose-seam.ts';
import { IdpUnavailable } from '../errors.ts';

export interface JwksCacheOptions {
  readonly fetch?: typeof fetch;
  /** How long a fetched key set is trusted before it is fetched again (default 10 minutes). */
  readonly maxAgeMs?: number;
  /** The least time between two refetches caused by unknown kids (default 30 seconds). */
  readonly refetchCooldownMs?: number;
  readonly now?: () => number;
}

export interface JwksCache {
  /** Keys that may have signed a token with this `kid` (all keys when the token names none). */
  keysFor(kid: string | undefined): Promise<readonly JWK[]>;
  /** How many times the key set was fetched (for operators' metrics and tests). */
  readonly fetchCount: number;
}

/**
 * A cache over a JWKS URL (or a function that finds it, such as discovery).
 * @example
 * const jwks = createJwksCache(async () => (await discovery.metadata()).jwks_uri);
 * const keys = await jwks.keysFor(header.kid);
 */
export function createJwksCache(jwksUri: string | (() => Promise<string>), options: JwksCacheOptions = {}): JwksCache {
  const fetchImpl = options.fetch ?? fetch;
  const maxAgeMs = options.maxAgeMs ?? 600_000;
  const cooldownMs = options.refetchCooldownMs ?? 30_000;
  const now = options.now ?? Date.now;
  let keys: readonly JWK[] = [];
  // The keys found per kid, so a lookup on the hot path is one Map read (and the list keeps its identity, which
  // the jose seam's key-set cache relies on). Only kids the fetched set holds are kept, so it stays that small.
  let byKid = new Map<string, readonly JWK[]>();
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let fetchCount = 0;
  let inFlight: Promise<readonly JWK[]> | undefined;

  async function load(): Promise<readonly JWK[]> {
    const url = typeof jwksUri === 'string' ? jwksUri : await jwksUri();
    fetchCount += 1;
    fetchedAt = now();
    let response: Response;
    try {
      response = await fetchImpl(url, { headers: { accept: 'application/json' } });
    } catch (error) {
      throw new IdpUnavailable(`JWKS fetch failed: ${(error as Error).message}`);
    }
    if (!response.ok) throw new IdpUnavailable(`JWKS answered ${response.status}`);
    const body = (await response.json()) as { keys?: unknown };
    if (!Array.isArray(body.keys)) throw new IdpUnavailable('JWKS document has no keys');
    keys = body.keys as JWK[];
    byKid = new Map();
    return keys;
  }

  function refresh(): Promise<readonly JWK[]> {
    inFlight ??= load().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  function matching(kid: string | undefined): readonly JWK[] {
    if (kid === undefined) return keys;
    let found = byKid.get(kid);
    if (found === undefined) {
      found = keys.filter((key) => key.kid === kid);
      if (found.length > 0) byKid.set(kid, found);
    }
    return found;
  }

  return {
    get fetchCount() {
      return fetchCount;
    },
    async keysFor(kid) {
      if (now() - fetchedAt >= maxAgeMs) await refresh();
      else if (inFlight) await inFlight;
      const found = matching(kid);
      if (found.length > 0 || now() - fetchedAt < cooldownMs) return found;
      await refresh();
      return matching(kid);
    },
  };
}
