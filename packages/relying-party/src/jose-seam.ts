/**
 * The one seam to `jose` in the relying-party kit: reading a JWS header and verifying a JWT against a set of
 * public keys. Nothing else in this package imports `jose`.
 */
import { createLocalJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { JWK, JWTPayload } from 'jose';

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
  readonly now: Date;
}

export type JwtFailure = 'expired' | 'not_yet_valid' | 'claims' | 'signature' | 'malformed';

export class JwtCheckFailed extends Error {
  override name = 'JwtCheckFailed';
  readonly failure: JwtFailure;
  constructor(failure: JwtFailure, message: string) {
    super(message);
    this.failure = failure;
  }
}

type KeySet = ReturnType<typeof createLocalJWKSet>;

/**
 * One key set per JWK object of the cached JWKS: jose imports a JWK into a CryptoKey once per key set, so a set
 * made per request re-imported the key every time (~60% of the verification cost, bench/ scenario 4). A JWKS
 * refetch brings new JWK objects, so rotated keys get fresh sets and the old ones are collected.
 */
const keySets = new WeakMap<JWK, KeySet>();

function keySetFor(keys: readonly JWK[]): KeySet {
  if (keys.length !== 1) return createLocalJWKSet({ keys: [...keys] } as Parameters<typeof createLocalJWKSet>[0]);
  const key = keys[0]!;
  let keySet = keySets.get(key);
  if (keySet === undefined) {
    keySet = createLocalJWKSet({ keys: [key] } as Parameters<typeof createLocalJWKSet>[0]);
    keySets.set(key, keySet);
  }
  return keySet;
}

/** Verifies signature, algorithm, typ, iss, aud, exp and nbf; throws `JwtCheckFailed` saying which failed. */
export async function verifyJwt(token: string, keys: readonly JWK[], checks: JwtChecks): Promise<JWTPayload> {
  const keySet = keySetFor(keys);
  try {
    const { payload } = await jwtVerify(token, keySet, {
      issuer: checks.issuer,
      audience: typeof checks.audience === 'string' ? checks.audience : [...checks.audience],
      algorithms: [...checks.algorithms],
      typ: checks.typ,
      clockTolerance: checks.clockToleranceSeconds,
      currentDate: checks.now,
      requiredClaims: ['exp', 'sub'],
    });
    return payload;
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new JwtCheckFailed('expired', 'the token has expired');
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      if (error.claim === 'nbf' || error.claim === 'iat') throw new JwtCheckFailed('not_yet_valid', 'the token is not valid yet');
      throw new JwtCheckFailed('claims', `the token's ${error.claim} claim is not acceptable`);
    }
    if (error instanceof joseErrors.JWSSignatureVerificationFailed || error instanceof joseErrors.JWKSNoMatchingKey) {
      throw new JwtCheckFailed('signature', 'the token signature is invalid');
    }
    if (error instanceof joseErrors.JOSEError) throw new JwtCheckFailed('malformed', 'the token is malformed or uses an unaccepted algorithm');
    throw error;
  }
}
