import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hasLiveKey, pickSigner } from '../../../src/tokens/signer-choice.ts';

const NOW = 1_000_000;
const key = (kid: string, alg: string, activates_at: number, publish_until: number | null = null) => ({ kid, alg, activates_at, publish_until });
const kid = (row: { kid: string } | undefined) => row?.kid;

describe('pickSigner', () => {
  it('signs with the newest active key of the algorithm', () => {
    assert.equal(kid(pickSigner([key('r2', 'RS256', NOW - 10), key('r1', 'RS256', NOW - 20, NOW + 100)], 'RS256', NOW)), 'r2');
  });

  it('keeps the retired key signing while a rotated-in key waits to activate', () => {
    const rows = [key('r2', 'RS256', NOW + 60), key('r1', 'RS256', NOW - 20, NOW + 3660)];
    assert.equal(kid(pickSigner(rows, 'RS256', NOW)), 'r1');
    assert.equal(kid(pickSigner(rows, 'RS256', NOW + 60)), 'r2');
  });

  it('keeps the old algorithm signing until the new algorithm key activates (issue 14.4)', () => {
    const rows = [key('e1', 'ES256', NOW + 60), key('r1', 'RS256', NOW - 20, NOW + 3660)];
    assert.equal(kid(pickSigner(rows, 'ES256', NOW)), 'r1');
    assert.equal(kid(pickSigner(rows, 'ES256', NOW + 60)), 'e1');
    // An instance whose tenant cache still names RS256 moves on too once the retired key's staging is over.
    assert.equal(kid(pickSigner(rows, 'RS256', NOW + 60)), 'e1');
  });

  it('prefers a live key of the algorithm over newer keys of another one (databases with several live keys)', () => {
    const rows = [key('e7', 'ES256', NOW - 5), key('e1', 'ES256', NOW - 6), key('r1', 'RS256', NOW - 100)];
    assert.equal(kid(pickSigner(rows, 'RS256', NOW)), 'r1');
    assert.equal(kid(pickSigner(rows, 'ES256', NOW)), 'e7');
  });

  it('has no signer when no key is active yet', () => {
    assert.equal(pickSigner([key('e1', 'ES256', NOW + 1)], 'ES256', NOW), undefined);
    assert.equal(pickSigner([], 'RS256', NOW), undefined);
  });
});

describe('hasLiveKey', () => {
  it('counts keys not retired, active or waiting, of the algorithm only', () => {
    assert.equal(hasLiveKey([key('e1', 'ES256', NOW + 60)], 'ES256'), true);
    assert.equal(hasLiveKey([key('e1', 'ES256', NOW - 60, NOW + 60)], 'ES256'), false);
    assert.equal(hasLiveKey([key('r1', 'RS256', NOW - 60)], 'ES256'), false);
  });
});
