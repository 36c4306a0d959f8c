/**
 * Recovery codes: ten single-use codes shown once when a first factor is enrolled (or regenerated), stored only
 * as SHA-256 hashes. Each is 10 characters of Crockford base32 (50 bits), far beyond what the brute-force limits
 * let anyone try; a fast hash is therefore enough, like for client secrets.
 */
import { randomInt } from 'node:crypto';
import type { Latchkey } from '../context.ts';
import { userFactorQueries } from '../db/queries/user-factors.ts';
import { hashSecret } from '../tokens/opaque.ts';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
export const RECOVERY_CODE_COUNT = 10;

/** Salted with the user id, so two users' equal codes never collide in the table's key. */
function codeHash(userId: string, normalized: string): string {
  return hashSecret(`${userId}:${normalized}`);
}

function newCode(): string {
  let code = '';
  for (let i = 0; i < 10; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** Lower-case, without separators, with the letters people confuse read as Crockford does (o→0, i/l→1). */
export function normalizeRecoveryCode(typed: string): string {
  return typed.toLowerCase().replace(/[\s-]/g, '').replace(/o/g, '0').replace(/[il]/g, '1');
}

/** Replaces the user's codes with ten new ones, and returns them (the only time they exist in clear). */
export async function regenerateRecoveryCodes(ctx: Latchkey, tenantId: string, userId: string): Promise<string[]> {
  const now = ctx.now();
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  const rows = codes.map((code) => ({ code_hash: codeHash(userId, normalizeRecoveryCode(code)), tenant_id: tenantId, user_id: userId, created_at: now, used_at: null }));
  await ctx.db.transaction().execute((trx) => userFactorQueries(trx).replaceRecoveryCodes(rows, userId));
  return codes;
}

/** Uses a code once: the number of codes left, or undefined when the code is wrong or was used before. */
export async function useRecoveryCode(ctx: Latchkey, userId: string, typed: string): Promise<number | undefined> {
  const normalized = normalizeRecoveryCode(typed);
  if (!/^[0-9a-z]{10}$/.test(normalized)) return undefined;
  const queries = userFactorQueries(ctx.db);
  if (!(await queries.useRecoveryCode(userId, codeHash(userId, normalized), ctx.now()))) return undefined;
  return queries.recoveryCodesLeft(userId);
}
