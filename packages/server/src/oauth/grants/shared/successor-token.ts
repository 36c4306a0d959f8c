/**
 * The refresh token that a rotation issues, derived from the refresh token it rotates out with HMAC-SHA-256
 * under a key of the master secret, instead of drawn at random. A retry of the same refresh whose answer was
 * lost can then be answered with the very same refresh token (one family, one branch) although only its
 * SHA-256 is stored (ARCHITECTURE: "A retry is not an attack"; RFC 9700 §4.14.2). Without the master secret
 * nobody can compute a successor, so a stolen rotated-out token reveals nothing new. Codes have no successor:
 * they are strictly single-use and their refresh token is random (authorization-code.ts).
 */
import { createHmac, hkdfSync } from 'node:crypto';
import type { Latchkey } from '../../../context.ts';

const keys = new WeakMap<Latchkey, Buffer>();

function keyOf(ctx: Latchkey): Buffer {
  let key = keys.get(ctx);
  if (key === undefined) {
    key = Buffer.from(hkdfSync('sha256', ctx.masterSecret, 'latchkey', 'successor-refresh-tokens', 32));
    keys.set(ctx, key);
  }
  return key;
}

/** 256 bits, base64url: the shape of `generateOpaqueToken(32)`. */
export function successorRefreshToken(ctx: Latchkey, presentedRefreshToken: string): string {
  return createHmac('sha256', keyOf(ctx)).update(`refresh_token\0${presentedRefreshToken}`).digest('base64url');
}
