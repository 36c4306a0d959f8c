/**
 * The refresh token that an exchange issues, derived from what the client presented (the code, or the refresh
 * token it rotates out) with HMAC-SHA-256 under a key of the master secret, instead of drawn at random. A retry
 * of the same exchange whose answer was lost can then be answered with the very same refresh token (one family,
 * one branch) although only its SHA-256 is stored (ARCHITECTURE: "A retry is not an attack"; RFC 9700 §4.14.2).
 * Without the master secret nobody can compute a successor, so a stolen rotated-out token reveals nothing new.
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
export function successorRefreshToken(ctx: Latchkey, presented: { readonly kind: 'code' | 'refresh_token'; readonly value: string }): string {
  return createHmac('sha256', keyOf(ctx)).update(`${presented.kind}\0${presented.value}`).digest('base64url');
}
