/**
 * Password hashing: argon2id from `node:crypto` at OWASP's recommended parameters (19 MiB, 2 passes,
 * parallelism 1), stored as a PHC string so parameters can be raised later and old hashes still verify.
 * The one seam for password hashing: nothing else calls argon2.
 */
import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';

export interface Argon2Parameters {
  readonly memory: number; // KiB
  readonly passes: number;
  readonly parallelism: number;
}

export const OWASP_ARGON2ID: Argon2Parameters = Object.freeze({ memory: 19456, passes: 2, parallelism: 1 });

const TAG_LENGTH = 32;
const MAX_PASSWORD_BYTES = 1024;

function derive(password: string, salt: Buffer, parameters: Argon2Parameters, tagLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    argon2(
      'argon2id',
      { message: Buffer.from(password, 'utf8'), nonce: salt, parallelism: parameters.parallelism, tagLength, memory: parameters.memory, passes: parameters.passes },
      (error, derived) => (error ? reject(error) : resolve(Buffer.from(derived))),
    );
  });
}

export async function hashPassword(password: string, parameters: Argon2Parameters = OWASP_ARGON2ID): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, parameters, TAG_LENGTH);
  const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
  return `$argon2id$v=19$m=${parameters.memory},t=${parameters.passes},p=${parameters.parallelism}$${b64(salt)}$${b64(hash)}`;
}

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** Constant-time check of `password` against a stored PHC string; a malformed hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = PHC.exec(stored);
  if (!match || Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return false;
  const parameters = { memory: Number(match[1]), passes: Number(match[2]), parallelism: Number(match[3]) };
  const salt = Buffer.from(match[4]!, 'base64');
  const expected = Buffer.from(match[5]!, 'base64');
  const actual = await derive(password, salt, parameters, expected.length);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same time as a real check, for sign-ins of unknown users, so timing does not reveal which
 * accounts exist.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(password, await dummyHash);
  return false;
}

/** Basic strength rule (NIST 800-63B: length over composition). */
export function passwordProblem(password: unknown): string | undefined {
  if (typeof password !== 'string') return 'password must be a string';
  if ([...password].length < 8) return 'password must be at least 8 characters';
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return 'password is too long';
  return undefined;
}
