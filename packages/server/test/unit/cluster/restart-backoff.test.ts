import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RestartBackoff } from '../../../src/cluster/restart-backoff.ts';

describe('worker restart backoff', () => {
  it('replaces a worker that ran a while at once, and doubles the wait while workers keep dying young', () => {
    const backoff = new RestartBackoff({ baseMs: 100, maxMs: 1000, healthyAfterMs: 10_000 });
    backoff.listened();
    assert.deepEqual([60_000, 5, 5, 5, 5, 5, 5].map((lived) => backoff.next(lived)), [0, 100, 200, 400, 800, 1000, 1000]);
    assert.equal(backoff.next(20_000), 0, 'a healthy run resets it');
  });

  it('gives up when workers die before any of them ever listened', () => {
    const backoff = new RestartBackoff({ maxStartFailures: 3 });
    assert.notEqual(backoff.next(5), undefined);
    assert.notEqual(backoff.next(5), undefined);
    assert.equal(backoff.next(5), undefined);
  });
});
