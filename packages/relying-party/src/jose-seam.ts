/**
 * The one seam to `jose` in the relying-party kit: verifying a JWT against the issuer's public keys, and reading
 * a JWS header to explain a refusal. Nothing else in this package imports `jose`.
 */
import { createLocalJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { FlattenedJWSInput, JWK, JWTPayload, JWTVerifyOptions, JWSHeaderParameters } from 'jose';
import { AuthError, InvalidToken } from './errors.ts';

export type { JWK, JWTPayload };

export interface JwsHeader {
  readonly alg?: string;
  readonly kid?: string;
  readonly typ?: string;
}

/** The protected header of a compact JWS, or undefined when the string is not one. */
export function readJwsHeader(token: string): JwsHeader | undefined {
  try {
    return decodeProtectedHeader(token) as JwsHeader;
  } catch {
    return undefined;
  }
}

export interface JwtChecks {
  readonly issuer: string;
  readonly audience: string | readonly string[];
  readonly algorithms: readonly string[];
  readonly typ: string;
  readonly clockToleranceSeconds: number;
  /** The clock; absent, jose reads the system clock as it checks exp and nbf. */
  readonly now?: () => number;
}

/**
 * The keys that may have signed a token, from its protected header once jose has parsed it and checked its
 * algorithm against the allow-list. May throw (an `AuthError`) to refuse the token before any key is used.
 */
export type KeyLookup = (header: JwsHeader) => readonly JWK[] | Promise<readonly JWK[]>;

/** Verifies a token: signature, algorithm, typ, iss, aud, exp, nbf; refuses with `InvalidToken` saying why. */
export type JwtCheck = (token: string) => Promise<JWTPayload>;

type KeySet = ReturnType<typeof createLocalJWKSet>;

/**
 * One key set per JWK object of the cached JWKS (or per cached list, for a token without a kid): jose imports a
 * JWK into a CryptoKey once per key set, so a set made per request re-imported the key every time (~60% of the
 * verification cost, bench/ scenario 4). A JWKS refetch brings new JWK objects, so rotated keys get fresh sets
 * and the old ones are collected.
 */
const keySets = new WeakMap<object, KeySet>();

function keySetFor(keys: readonly JWK[]): KeySet {
  const identity = keys.length === 1 ? keys[0]! : keys;
  let keySet = keySets.get(identity);
  if (keySet === undefined) {
    keySet = createLocalJWKSet({ keys: [...keys] } as Parameters<typeof createLocalJWKSet>[0]);
    keySets.set(identity, keySet);
  }
  return keySet;
}

/** Why jose refused a token, in words a client may see (RFC 6750 §3.1 `error_description`). */
function refusal(error: unknown, token: string, algorithms: readonly string[]): unknown {
  if (error instanceof AuthError || !(error instanceof joseErrors.JOSEError)) return error;
  if (error instanceof joseErrors.JWTExpired) return new InvalidToken('the token has expired');
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf' || error.claim === 'iat') return new InvalidToken('the token is not valid yet');
    return new InvalidToken(`the token's ${error.claim} claim is not acceptable`);
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed || error instanceof joseErrors.JWKSNoMatchingKey) {
    return new InvalidToken('the token signature is invalid');
  }
  // Only refusals reach here, so reading the header again costs a valid token nothing.
  const header = readJwsHeader(token);
  if (header === undefined || typeof header.alg !== 'string') return new InvalidToken('the token is not a JWT');
  if (!algorithms.includes(header.alg)) return new InvalidToken(`the token algorithm ${header.alg.slice(0, 20)} is not accepted`);
  return new InvalidToken('the token is malformed or uses an unaccepted algorithm');
}

/**
 * Builds the check for one policy. jose parses the header once: it refuses an algorithm outside the allow-list
 * before it asks `lookup` for keys, and `lookup` sees the parsed header (kid, typ) before any signature work.
 * The jose options are built here once, not per token.
 */
export function createJwtCheck(checks: JwtChecks, lookup: KeyLookup): JwtCheck {
  const { now, algorithms } = checks;
  const options: JWTVerifyOptions = Object.freeze({
    issuer: checks.issuer,
    audience: typeof checks.audience === 'string' ? checks.audience : [...checks.audience],
    algorithms: [...algorithms],
    typ: checks.typ,
    clockTolerance: checks.clockToleranceSeconds,
    requiredClaims: ['exp', 'sub'],
  });
  const resolveKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    const keys = await lookup(header);
    if (keys.length === 0) throw new InvalidToken('the token was signed by an unknown key');
    return await keySetFor(keys)(header, token);
  };
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, resolveKey, now === undefined ? options : { ...options, currentDate: new Date(now()) });
      return payload;
    } catch (error) {
      throw refusal(error, token, algorithms);
    }
  };
}
