/** RFC 7636 helpers for back ends that start the authorization request themselves. */
import { createHash, randomBytes } from 'node:crypto';

/**
 * A fresh high-entropy verifier (RFC 7636 §4.1) and its S256 challenge (§4.2).
 * @example const { verifier, challenge } = createPkcePair();
 */
export function createPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * An unguessable value for `state` or `nonce`.
 * @example const state = randomToken();
 */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}
