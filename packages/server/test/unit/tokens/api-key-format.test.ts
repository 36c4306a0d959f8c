import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateApiKey, looksLikeApiKey, parseApiKey } from '../../../src/tokens/api-key-format.ts';

describe('API key format', () => {
  it('is <prefix>_<mode>_ + 43 base62 random characters + a 6-character CRC32 checksum', () => {
    const { key, displayPrefix } = generateApiKey('sg', 'live');
    assert.match(key, /^sg_live_[0-9A-Za-z]{49}$/);
    assert.equal(displayPrefix, key.slice(0, 12));
    assert.deepEqual(parseApiKey(key), { prefix: 'sg', mode: 'live' });
    assert.deepEqual(parseApiKey(generateApiKey('acme2', 'test').key), { prefix: 'acme2', mode: 'test' });
  });

  it('carries at least 256 bits of randomness', () => {
    // Measured on generated keys, not on constants: the random part is 43 positions, every position takes every
    // base62 symbol, and the symbols are uniform (no modulo bias), so each position carries log2(62) bits.
    const keys = Array.from({ length: 3000 }, () => generateApiKey('sg', 'live').key);
    assert.equal(new Set(keys).size, keys.length);
    const randomParts = keys.map((key) => key.slice('sg_live_'.length, -6));
    const positions = randomParts[0]!.length;
    assert.ok(randomParts.every((part) => part.length === positions));
    for (let i = 0; i < positions; i++) {
      assert.equal(new Set(randomParts.map((part) => part[i])).size, 62, `position ${i} takes every base62 symbol`);
    }
    // Chi-square over all characters (df = 61): a uniform source stays far below 150 (p < 1e-12); `byte % 62`
    // without rejection (8 symbols 25% likelier) scores about 560 here.
    const counts = new Map<string, number>();
    for (const part of randomParts) for (const c of part) counts.set(c, (counts.get(c) ?? 0) + 1);
    const expected = (positions * keys.length) / 62;
    const chiSquare = [...counts.values()].reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
    assert.ok(chiSquare < 150, `symbols are uniform (chi-square ${chiSquare.toFixed(1)})`);
    assert.ok(positions * Math.log2(counts.size) >= 256, `${positions} uniform positions over ${counts.size} symbols`);
  });

  it('rejects any single-character change through the checksum', () => {
    const { key } = generateApiKey('sg', 'live');
    for (let i = 8; i < key.length; i++) {
      const replacement = key[i] === 'a' ? 'b' : 'a';
      assert.equal(parseApiKey(`${key.slice(0, i)}${replacement}${key.slice(i + 1)}`), undefined, `position ${i}`);
    }
    assert.equal(parseApiKey(key.replace('_live_', '_test_')), undefined);
    assert.equal(parseApiKey(`${key}x`), undefined);
    assert.equal(parseApiKey(''), undefined);
  });

  it('tells API keys from JWTs by the prefix (seed 003)', () => {
    assert.equal(looksLikeApiKey(generateApiKey('sg', 'test').key), true);
    assert.equal(looksLikeApiKey('eyJhbGciOiJSUzI1NiJ9.e30.c2ln'), false);
  });
});
