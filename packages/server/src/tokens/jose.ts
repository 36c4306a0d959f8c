/**
 * The one seam to `jose`: key generation, JWKS, JWT signing and verification, and sealing private keys at rest.
 * Nothing else in Latchkey imports `jose`, so swapping or tuning the JOSE implementation happens here alone.
 */
import { hkdfSync } from 'node:crypto';
import {
  CompactEncrypt,
  SignJWT,
  compactDecrypt,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  errors as joseErrors,
} from 'jose';
import type { JWK, JWTPayload } from 'jose';

export type { JWK, JWTPayload };

export const SIGNING_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export function isSigningAlgorithm(value: unknown): value is SigningAlgorithm {
  return typeof value === 'string' && (SIGNING_ALGORITHMS as readonly string[]).includes(value);
}

/** An imported private key, ready to sign. */
export interface PrivateSigningKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly key: CryptoKey;
}

export interface GeneratedKeyPair {
  readonly publicJwk: JWK;
  readonly privateJwk: JWK;
}

export async function generateSigningKeyPair(alg: SigningAlgorithm, kid: string): Promise<GeneratedKeyPair> {
  const options = alg === 'RS256' ? { modulusLength: 2048, extractable: true } : alg === 'EdDSA' ? { crv: 'Ed25519', extractable: true } : { extractable: true };
  const { publicKey, privateKey } = await generateKeyPair(alg, options);
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg };
  return { publicJwk, privateJwk };
}

export async function importPrivateSigningKey(privateJwk: JWK, alg: SigningAlgorithm): Promise<PrivateSigningKey> {
  const key = await importJWK(privateJwk, alg);
  if (!(key instanceof CryptoKey)) throw new Error('expected an asymmetric private key');
  return { kid: String(privateJwk.kid), alg, key };
}

export interface SignOptions {
  /** `at+jwt` for access tokens (RFC 9068 §2.1), `JWT` for ID tokens. */
  readonly typ: string;
}

export function signJwt(payload: JWTPayload, signingKey: PrivateSigningKey, options: SignOptions): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: signingKey.alg, kid: signingKey.kid, typ: options.typ }).sign(signingKey.key);
}

export interface VerifyOptions {
  readonly issuer?: string;
  readonly audience?: string | string[];
  readonly typ?: string;
  readonly algorithms?: readonly string[];
  /** Seconds of clock skew tolerated on exp/nbf/iat. */
  readonly clockTolerance?: number;
  /** Verify an expired token (id_token_hint, RFC 7009 revocation): signature and issuer still count. */
  readonly allowExpired?: boolean;
}

export interface VerifiedJwt {
  readonly payload: JWTPayload;
  readonly header: { alg: string; kid?: string; typ?: string };
}

export class JwtVerificationError extends Error {
  override name = 'JwtVerificationError';
  /** `expired`, `invalid` (anything else: signature, claims, format). */
  readonly reason: 'expired' | 'invalid';
  constructor(reason: 'expired' | 'invalid', message: string) {
    super(message);
    this.reason = reason;
  }
}

/** Verifies a JWT against a JWKS document we hold (our own tenant's keys). */
export async function verifyJwtWithJwks(token: string, jwks: { keys: JWK[] }, options: VerifyOptions = {}): Promise<VerifiedJwt> {
  const keySet = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
  try {
    const { payload, protectedHeader } = await jwtVerify(token, keySet, {
      issuer: options.issuer,
      audience: options.audience,
      typ: options.typ,
      algorithms: options.algorithms ? [...options.algorithms] : [...SIGNING_ALGORITHMS],
      clockTolerance: options.clockTolerance ?? 0,
      currentDate: options.allowExpired ? new Date(0) : undefined,
    });
    return { payload, header: protectedHeader as VerifiedJwt['header'] };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new JwtVerificationError('expired', 'the token has expired');
    if (error instanceof joseErrors.JOSEError) throw new JwtVerificationError('invalid', error.message);
    throw error;
  }
}

/** The claims of a compact JWS WITHOUT verifying it (to find its issuer before verifying), or undefined. */
export function peekJwtClaims(token: string): JWTPayload | undefined {
  try {
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}

/** The protected header of a compact JWS, or undefined when it is not one. */
export function peekJwtHeader(token: string): { alg?: string; kid?: string; typ?: string } | undefined {
  try {
    return decodeProtectedHeader(token) as { alg?: string; kid?: string; typ?: string };
  } catch {
    return undefined;
  }
}

/**
 * Private keys at rest are compact JWEs (`dir` + A256GCM) under a key derived from LATCHKEY_SECRET with
 * HKDF-SHA256, so a copy of the database alone reveals no signing key.
 */
export class SecretBox {
  readonly #key: Uint8Array;
  constructor(masterSecret: string, purpose: string) {
    this.#key = new Uint8Array(hkdfSync('sha256', masterSecret, 'latchkey', purpose, 32));
  }
  async seal(plaintext: string): Promise<string> {
    return new CompactEncrypt(new TextEncoder().encode(plaintext)).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(this.#key);
  }
  async open(jwe: string): Promise<string> {
    const { plaintext } = await compactDecrypt(jwe, this.#key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
    return new TextDecoder().decode(plaintext);
  }
}
