/**
 * RFC 9068 access-token verification: the algorithm allow-list is enforced before any key is looked up, so
 * `alg: none` and HMAC algorithms (where a public key could be misused as a shared secret) never reach a
 * signature check; `typ` is checked next, before the JWKS is consulted. The header is parsed once, by jose.
 */
import { InvalidToken } from '../errors.ts';
import { createJwtCheck } from '../jose-seam.ts';
import type { JwsHeader, JWTPayload } from '../jose-seam.ts';
import type { JwksCache } from './jwks-cache.ts';

/**
 * Asymmetric algorithms only: RFC 8725 §3.1 (no `none`), §2.1 (no key confusion with HS*).
 * @example createVerifier({ issuer, audience, algorithms: DEFAULT_ALGORITHMS.filter((alg) => alg !== 'PS256') });
 */
export const DEFAULT_ALGORITHMS: readonly string[] = ['RS256', 'PS256', 'ES256', 'EdDSA'];
const FORBIDDEN = /^(none|HS\d+)$/i;

export interface JwtVerifierOptions {
  readonly issuer: string;
  readonly audience: string | readonly string[];
  readonly algorithms?: readonly string[];
  /** RFC 9068 §2.1 (default `at+jwt`). */
  readonly typ?: string;
  /** Tolerated clock skew on exp/nbf in seconds (default 30). */
  readonly clockToleranceSeconds?: number;
  readonly now?: () => number;
}

export type JwtVerifier = (token: string) => Promise<JWTPayload>;

export function createJwtVerifier(jwks: JwksCache, options: JwtVerifierOptions): JwtVerifier {
  const algorithms = (options.algorithms ?? DEFAULT_ALGORITHMS).filter((alg) => !FORBIDDEN.test(alg));
  const typ = options.typ ?? 'at+jwt';
  const expectedTyp = typ.toLowerCase();
  const keysFor = (header: JwsHeader) => {
    // RFC 8725 §3.11 / RFC 9068 §4: the media type must be explicit, so an ID token is never taken as an access token.
    const headerTyp = typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : undefined;
    if (headerTyp !== expectedTyp) throw new InvalidToken(`the token type must be ${typ}`);
    return jwks.keysFor(header.kid);
  };
  return createJwtCheck(
    { issuer: options.issuer, audience: options.audience, algorithms, typ, clockToleranceSeconds: options.clockToleranceSeconds ?? 30, now: options.now },
    keysFor,
  );
}
