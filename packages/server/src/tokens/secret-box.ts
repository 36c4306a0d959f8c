/**
 * Secrets at rest (private signing keys, TOTP secrets, federation secrets) are compact JWEs (RFC 7516 §7.1,
 * `dir` + A256GCM: RFC 7518 §4.5, §5.3) under a key derived from LATCHKEY_SECRET with HKDF-SHA256, so a copy
 * of the database alone reveals none of them. The format is jose's (`test/unit/tokens/secret-box.test.ts` opens
 * what jose seals and the reverse), but the work is one node:crypto AES-GCM call: through jose, opening a
 * signing key cost a WebCrypto key import and an asynchronous decrypt, 0.2 ms of every token whose tenant's key
 * was not cached (issue 21), ten times the cipher itself.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** The only header we write, and the only one we open: anything else (`zip`, `crit`, another alg) is refused. */
const HEADER = Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A256GCM' })).toString('base64url');
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBox {
  readonly #key: Buffer;

  constructor(masterSecret: string, purpose: string) {
    this.#key = Buffer.from(hkdfSync('sha256', masterSecret, 'latchkey', purpose, 32));
  }

  async seal(plaintext: string): Promise<string> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    // RFC 7516 §5.1, step 14: the additional authenticated data is the encoded protected header.
    cipher.setAAD(Buffer.from(HEADER, 'ascii'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${HEADER}..${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
  }

  async open(jwe: string): Promise<string> {
    const parts = jwe.split('.');
    // `dir` has no encrypted key (RFC 7518 §4.5).
    if (parts.length !== 5 || parts[1] !== '' || !parts.every((part) => BASE64URL.test(part)) || !sameHeader(parts[0]!)) throw new Error('not a sealed secret');
    const iv = Buffer.from(parts[2]!, 'base64url');
    const tag = Buffer.from(parts[4]!, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(parts[0]!, 'ascii'));
    decipher.setAuthTag(tag);
    // final() throws when the tag does not match: another secret, or a changed byte.
    return Buffer.concat([decipher.update(Buffer.from(parts[3]!, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/** The header as jose writes it, or the same parameters in another order or spacing. */
function sameHeader(encoded: string): boolean {
  if (encoded === HEADER) return true;
  try {
    const header = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Record<string, unknown>;
    return header !== null && typeof header === 'object' && Object.keys(header).length === 2 && header.alg === 'dir' && header.enc === 'A256GCM';
  } catch {
    return false;
  }
}
