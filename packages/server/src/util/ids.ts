import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A time-ordered identifier with a readable prefix (`usr_01jc…`, `tnt_01jc…`): 48 bits of milliseconds and
 * 80 random bits in Crockford base32 (ULID layout, lower case). Sorting by id sorts by creation time, which the
 * admin API's cursor pagination relies on.
 */
export function newId(prefix: string, now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(10);
  let random = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      random += CROCKFORD[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return `${prefix}_${time}${random}`;
}

/** A random lower-case alphanumeric string (for client ids): `length` characters of base32, 5 bits each. */
export function randomAlphanumeric(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += CROCKFORD[byte & 31];
  return out;
}
