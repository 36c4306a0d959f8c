/**
 * The one seam to `jose`: key generation, JWKS, JWT signing and verification, and sealing private keys at rest.
 * Nothing else in Latchkey imports `jose`, so swapping or tuning the JOSE implementation happens here alone.
 */
import { createPrivateKey, sign as cryptoSign } from 'node:crypto';
import type { JsonWebKeyInput, KeyObject } from 'node:crypto';
import {
  SignJWT,
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

/** An imported private key, ready to sign (`signJwt` signs with node:crypto, so a KeyObject is all it needs). */
export interface PrivateSigningKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly keyObject: KeyObject;
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

/** Bits of an RSA modulus given as base64url (RFC 7518 §6.3.1.1), without leading zero bits. */
function modulusBits(n: unknown): number {
  if (typeof n !== 'string') return 0;
  const bytes = Buffer.from(n, 'base64url');
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  return i === bytes.length ? 0 : (bytes.length - i) * 8 - Math.clz32(bytes[i]!) + 24;
}

/**
 * Whether a private JWK is of the kind `alg` signs with (what jose's `importJWK(jwk, alg)` checks), read from
 * the JWK before the import rather than from the KeyObject after it: `asymmetricKeyDetails` asks OpenSSL again
 * and was a third of the import's cost, which every token of a tenant whose key is not cached pays (issue 21).
 * The import itself then refuses a JWK whose members do not make the key it claims to be.
 */
function fitsAlgorithm(jwk: JWK, alg: SigningAlgorithm): boolean {
  if (typeof jwk.d !== 'string') return false;
  switch (alg) {
    case 'RS256':
      // RFC 7518 §3.3: 2048 bits at least.
      return jwk.kty === 'RSA' && modulusBits(jwk.n) >= 2048;
    case 'ES256':
      return jwk.kty === 'EC' && jwk.crv === 'P-256';
    case 'EdDSA':
      return jwk.kty === 'OKP' && jwk.crv === 'Ed25519';
  }
}

/**
 * Imports a private JWK as a node:crypto KeyObject only. It also made a WebCrypto CryptoKey (`importJWK`) that
 * nothing on the token path used: two thirds of the import, which a tenant whose key is not cached pays on
 * its token (issue 21: 0.29 ms of a 1.8 ms cold token).
 */
export function importPrivateSigningKey(privateJwk: JWK, alg: SigningAlgorithm): PrivateSigningKey {
  if (!fitsAlgorithm(privateJwk, alg)) throw new Error(`the private key is not an ${alg} key`);
  const keyObject = createPrivateKey({ key: privateJwk, format: 'jwk' } as JsonWebKeyInput);
  return { kid: String(privateJwk.kid), alg, keyObject };
}

/** A private JWK as a WebCrypto CryptoKey, for libraries that want one (openid-client's private_key_jwt). */
export async function importPrivateCryptoKey(privateJwk: JWK, alg: SigningAlgorithm): Promise<CryptoKey> {
  const key = await importJWK(privateJwk, alg);
  if (!(key instanceof CryptoKey) || key.type !== 'private') throw new Error('expected an asymmetric private key');
  return key;
}

export interface SignOptions {
  /** `at+jwt` for access tokens (RFC 9068 §2.1), `JWT` for ID tokens. */
  readonly typ: string;
}

/** `node:crypto` digest per JWS algorithm (RFC 7518 §3.3, §3.4; RFC 8037 §3.1: Ed25519 hashes internally). */
const NODE_DIGEST: Record<SigningAlgorithm, string | null> = { RS256: 'sha256', ES256: 'sha256', EdDSA: null };

/**
 * ECDSA signatures come from node:crypto as DER (`SEQUENCE { r INTEGER, s INTEGER }`); JWS wants the fixed-size
 * R || S (RFC 7518 §3.4). Converting here is cheaper than asking node:crypto for `dsaEncoding: 'ieee-p1363'`,
 * whose options object costs a key re-validation on every call (~8% of an ES256 token's main-thread time).
 */
export function derToJoseEcdsa(der: Buffer, size = 32): Buffer {
  // P-256 signatures are at most 72 bytes, so every DER length here fits in one byte.
  if (der[0] !== 0x30 || der[1] !== der.length - 2 || der[2] !== 0x02) throw new Error('malformed ECDSA signature');
  const rLength = der[3]!;
  const r = der.subarray(4, 4 + rLength);
  if (der[4 + rLength] !== 0x02) throw new Error('malformed ECDSA signature');
  const s = der.subarray(6 + rLength, 6 + rLength + der[5 + rLength]!);
  const out = Buffer.alloc(2 * size);
  // INTEGERs carry a leading 0x00 when the high bit is set and drop leading zeros: right-align both.
  const rTrimmed = r.subarray(Math.max(0, r.length - size));
  const sTrimmed = s.subarray(Math.max(0, s.length - size));
  rTrimmed.copy(out, size - rTrimmed.length);
  sTrimmed.copy(out, 2 * size - sTrimmed.length);
  return out;
}

const encodedHeaders = new WeakMap<KeyObject, Map<string, string>>();

function encodedHeader(signingKey: PrivateSigningKey, typ: string): string {
  let byTyp = encodedHeaders.get(signingKey.keyObject);
  if (byTyp === undefined) encodedHeaders.set(signingKey.keyObject, (byTyp = new Map()));
  let header = byTyp.get(typ);
  if (header === undefined) {
    header = Buffer.from(JSON.stringify({ alg: signingKey.alg, kid: signingKey.kid, typ })).toString('base64url');
    byTyp.set(typ, header);
  }
  return header;
}

/**
 * A compact JWS over the JSON payload. It produces exactly what jose's `SignJWT` produces for the same header
 * and claims, with `node:crypto`'s asynchronous `sign` (libuv's thread pool, like WebCrypto) instead of
 * WebCrypto: the benchmarks (bench/, scenario 1) measured it ~10% cheaper per token and the event loop freer,
 * and `test/unit/tokens/jose.test.ts` proves jose verifies every token it makes, for every algorithm.
 */
export function signJwt(payload: JWTPayload, signingKey: PrivateSigningKey, options: SignOptions): Promise<string> {
  // As SignJWT: RFC 7519 §7.2, the claims set is a JSON object.
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return Promise.reject(new TypeError('JWT Claims Set MUST be an object'));
  const input = `${encodedHeader(signingKey, options.typ)}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const ecdsa = signingKey.alg === 'ES256';
  return new Promise((resolve, reject) => {
    cryptoSign(NODE_DIGEST[signingKey.alg], Buffer.from(input), signingKey.keyObject, (error, signature) => {
      if (error) reject(error);
      else resolve(`${input}.${(ecdsa ? derToJoseEcdsa(signature) : signature).toString('base64url')}`);
    });
  });
}

/** The same JWS through jose's `SignJWT`: the reference `signJwt` is tested against. */
export function signJwtWithJose(payload: JWTPayload, signingKey: PrivateSigningKey, options: SignOptions): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: signingKey.alg, kid: signingKey.kid, typ: options.typ }).sign(signingKey.keyObject);
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
/**
 * A local key set per JWKS object: jose imports each key on first use and keeps it in the set, so a set made
 * per request imported the public key on every verification (a quarter of an introspection's main-thread
 * time, issue 21). The tenant's JWKS object lives as long as the signing-key cache holds it, and so does its set.
 */
const keySets = new WeakMap<object, ReturnType<typeof createLocalJWKSet>>();

function keySetOf(jwks: { keys: JWK[] }): ReturnType<typeof createLocalJWKSet> {
  let keySet = keySets.get(jwks);
  if (keySet === undefined) {
    keySet = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
    keySets.set(jwks, keySet);
  }
  return keySet;
}

const ALL_ALGORITHMS: string[] = [...SIGNING_ALGORITHMS];

export async function verifyJwtWithJwks(token: string, jwks: { keys: JWK[] }, options: VerifyOptions = {}): Promise<VerifiedJwt> {
  try {
    const { payload, protectedHeader } = await jwtVerify(token, keySetOf(jwks), {
      issuer: options.issuer,
      audience: options.audience,
      typ: options.typ,
      algorithms: options.algorithms ? [...options.algorithms] : ALL_ALGORITHMS,
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

/** Sealing secrets at rest lives in its own module (node:crypto only); re-exported here, where callers find it. */
export { SecretBox } from './secret-box.ts';
