import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A high-entropy opaque token: `bytes` random bytes, base64url (32 bytes = 256 bits = 43 characters). */
export function generateOpaqueToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * SHA-256 (hex) of a high-entropy secret. A slow KDF adds nothing for 256-bit random values and would cost
 * milliseconds per token request; passwords, which are low-entropy, use argon2id instead.
 */
export function hashSecret(secret: string): string {
  // The one-shot `hash` (Node 21.7+): half the cost of a Hash object for inputs this small, on every token request.
  return hash('sha256', secret, 'hex');
}

/** Constant-time comparison of a presented secret with a stored SHA-256 hex hash. */
export function secretMatchesHash(secret: string, storedHash: string): boolean {
  const presented = hash('sha256', secret, 'buffer');
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}
