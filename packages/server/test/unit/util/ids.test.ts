import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newId, randomAlphanumeric } from '../../../src/util/ids.ts';

describe('ids', () => {
  it('are prefixed, 26 base32 characters, and sort by creation time', () => {
    const earlier = newId('usr', 1_700_000_000_000);
    const later = newId('usr', 1_700_000_000_001);
    assert.match(earlier, /^usr_[0-9a-hjkmnp-tv-z]{26}$/);
    assert.ok(earlier < later);
  });

  it('random alphanumerics have the requested length', () => {
    assert.match(randomAlphanumeric(32), /^[0-9a-z]{32}$/);
  });
});
