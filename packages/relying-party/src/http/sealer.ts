/**
 * Authenticated encryption (AES-256-GCM) of small JSON values with an expiry: the OAuth `state` of back ends
 * that keep no server-side store, and the same-origin session cookie. A key derived per purpose (HKDF) means a
 * sealed state can never be replayed as a session.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export interface Sealer {
  seal(value: unknown, ttlSeconds: number): string;
  /** The value, or undefined when the text was tampered with, sealed for another purpose, or expired. */
  open<T>(sealed: string): T | undefined;
}

/**
 * @example
 * const sealer = createSealer(process.env.SESSION_SECRET, 'session');
 * const cookie = sealer.seal({ sub: 'usr_1' }, 3600);
 */
export function createSealer(secret: string, purpose: string, now: () => number = Date.now): Sealer {
  if (secret.length < 32) throw new Error('the sealing secret must be at least 32 characters');
  const key = Buffer.from(hkdfSync('sha256', secret, 'latchkey-relying-party', purpose, 32));
  return {
    seal(value, ttlSeconds) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const plaintext = JSON.stringify({ v: value, exp: now() + ttlSeconds * 1000 });
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
    },
    open<T>(sealed: string) {
      try {
        const raw = Buffer.from(sealed, 'base64url');
        // Node's decoder skips characters it cannot use: only the exact encoding of the bytes is accepted.
        if (raw.length < 29 || raw.toString('base64url') !== sealed) return undefined;
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        const plaintext = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
        const { v, exp } = JSON.parse(plaintext) as { v: T; exp: number };
        return exp > now() ? v : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
