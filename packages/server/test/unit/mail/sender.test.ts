import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { retryDelayMs } from '../../../src/mail/sender.ts';

describe('mail retry backoff', () => {
  it('doubles from the base with at most 10 % jitter, and never waits more than an hour (plus jitter)', () => {
    for (let attempt = 1; attempt <= 20; attempt++) {
      const exact = Math.min(30_000 * 2 ** (attempt - 1), 3_600_000);
      const delay = retryDelayMs(attempt, 30);
      assert.ok(delay >= exact && delay <= exact * 1.1, `attempt ${attempt}: ${delay} vs ${exact}`);
    }
  });
});
