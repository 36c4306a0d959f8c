/**
 * TOTP secrets at rest: sealed exactly like signing keys (`SecretBox`: AES-256-GCM compact JWE, key derived from
 * LATCHKEY_SECRET with HKDF), under their own purpose so the two keys are independent. A backup carries only the
 * sealed value; without the master secret it is noise.
 */
import type { Latchkey } from '../context.ts';
import { SecretBox } from '../tokens/jose.ts';

const boxes = new WeakMap<Latchkey, SecretBox>();

function boxFor(ctx: Latchkey): SecretBox {
  let box = boxes.get(ctx);
  if (box === undefined) {
    box = new SecretBox(ctx.masterSecret, 'totp-secrets');
    boxes.set(ctx, box);
  }
  return box;
}

export function sealFactorSecret(ctx: Latchkey, secret: string): Promise<string> {
  return boxFor(ctx).seal(secret);
}

export function openFactorSecret(ctx: Latchkey, sealed: string): Promise<string> {
  return boxFor(ctx).open(sealed);
}
