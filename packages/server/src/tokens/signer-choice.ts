/**
 * Which of a tenant's published keys signs now. A key signs only once it is active (`activates_at` passed): a
 * rotation or an algorithm switch stages a key that is published first and signs after the activation delay,
 * so every instance's JWKS (and every relying party's cache) holds it before any token it signed exists.
 * Until then the key that signed before keeps signing, whatever its algorithm: switching from RS256 to ES256
 * keeps RS256 tokens coming until the ES256 key is active.
 *
 * A key is "live" while it is not retired (`publish_until` unset): each tenant has one live key at a time
 * (older databases may hold more), the newest staged. A retired key still signs while a staged key waits to
 * activate; its `publish_until` covers exactly that (activation + the longest token lifetime).
 */
import type { SigningKeysTable } from '../db/schema.ts';
import type { SigningAlgorithm } from './jose.ts';

type KeyRow = Pick<SigningKeysTable, 'kid' | 'alg' | 'activates_at' | 'publish_until'>;

/** Whether a key of `alg` is live (active or waiting to activate): then nothing needs staging for it. */
export function hasLiveKey(rows: readonly KeyRow[], alg: SigningAlgorithm): boolean {
  return rows.some((row) => row.alg === alg && row.publish_until === null);
}

/**
 * The signer at `now` among `rows` (published keys, newest activation first) for a tenant that signs `alg`:
 * the newest active key of `alg`, else the newest active key of any algorithm (an algorithm switch not yet
 * active). Retired keys count only while a staged key is waiting, or when nothing else can sign.
 */
export function pickSigner<Row extends KeyRow>(rows: readonly Row[], alg: SigningAlgorithm, now: number): Row | undefined {
  const active = rows.filter((row) => row.activates_at <= now);
  const staging = active.length < rows.length;
  const usable = (row: Row) => row.publish_until === null || staging;
  return active.find((row) => row.alg === alg && usable(row)) ?? active.find(usable) ?? active[0];
}
