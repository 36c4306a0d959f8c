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
    assert.ok(43 * Math.log2(62) >= 256);
    const keys = new Set(Array.from({ length: 200 }, () => generateApiKey('sg', 'live').key));
    assert.equal(keys.size, 200);
    // Every base62 character shows up across the random parts (no biased or missing alphabet).
    const characters = new Set([...keys].flatMap((key) => [...key.slice(8, 51)]));
    assert.equal(characters.size, 62);
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
