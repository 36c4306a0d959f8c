/**
 * The API key format: `<prefix>_<live|test>_<43 random base62 characters><6 base62 characters of CRC32>`, e.g.
 * `sg_live_4Jk…Qz01aB9x`. 43 base62 characters carry 256 bits of randomness (62^43 > 2^256, each character
 * drawn without modulo bias). The CRC32 of everything before it (GitHub's token scheme) lets secret scanners
 * and our own endpoints reject a mistyped or made-up key without a database lookup; it is not a secret and adds
 * no strength. Scanners can match: `\b[a-z][a-z0-9]{1,15}_(live|test)_[0-9A-Za-z]{49}\b`.
 */
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

export type ApiKeyMode = 'live' | 'test';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 43;
const CHECKSUM_LENGTH = 6;
const FORMAT = /^([a-z][a-z0-9]{1,15})_(live|test)_([0-9A-Za-z]{43})([0-9A-Za-z]{6})$/;

/** Characters shown in lists to recognise a key: `sg_live_4Jk2`. */
const DISPLAY_RANDOM_CHARACTERS = 4;

function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 × 62: bytes above it are dropped so every character is equally likely.
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

function checksum(body: string): string {
  let value = crc32(body);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

export interface GeneratedApiKey {
  readonly key: string;
  readonly displayPrefix: string;
}

export function generateApiKey(prefix: string, mode: ApiKeyMode): GeneratedApiKey {
  const body = `${prefix}_${mode}_${randomBase62(RANDOM_LENGTH)}`;
  const key = `${body}${checksum(body)}`;
  return { key, displayPrefix: key.slice(0, prefix.length + mode.length + 2 + DISPLAY_RANDOM_CHARACTERS) };
}

export interface ParsedApiKey {
  readonly prefix: string;
  readonly mode: ApiKeyMode;
}

/** The prefix and mode of a well-formed key whose checksum matches, or undefined. */
export function parseApiKey(candidate: string): ParsedApiKey | undefined {
  if (candidate.length > 80) return undefined;
  const match = FORMAT.exec(candidate);
  if (!match) return undefined;
  const body = `${match[1]}_${match[2]}_${match[3]}`;
  if (checksum(body) !== match[4]) return undefined;
  return { prefix: match[1]!, mode: match[2] as ApiKeyMode };
}

/** Cheap test whether a bearer credential is meant as an API key rather than a JWT (seed 003: "by the prefix"). */
export function looksLikeApiKey(candidate: string): boolean {
  return /^[a-z][a-z0-9]{1,15}_(live|test)_/.test(candidate);
}
