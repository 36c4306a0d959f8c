import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateOpaqueToken, hashSecret, secretMatchesHash } from '../../../src/tokens/opaque.ts';

describe('opaque tokens', () => {
  it('are 256-bit base64url values, different every time', () => {
    const a = generateOpaqueToken();
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, generateOpaqueToken());
  });

  it('are stored as SHA-256 and compared against the hash', () => {
    const secret = generateOpaqueToken();
    const hash = hashSecret(secret);
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.ok(secretMatchesHash(secret, hash));
    assert.ok(!secretMatchesHash(`${secret}x`, hash));
    assert.ok(!secretMatchesHash(secret, 'not-a-hash'));
  });
});
