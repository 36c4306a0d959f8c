import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { accessTokenHash } from '../../../src/tokens/id-token.ts';

describe('at_hash', () => {
  it('matches the OpenID Connect Core example (RS256: left half of SHA-256)', () => {
    assert.equal(accessTokenHash('jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y', 'RS256'), '77QmUPtjPfzWtF2AnpK9RQ');
  });

  it('uses SHA-512 for EdDSA, so the hash is twice as long', () => {
    assert.equal(Buffer.from(accessTokenHash('token', 'EdDSA'), 'base64url').length, 32);
    assert.equal(Buffer.from(accessTokenHash('token', 'ES256'), 'base64url').length, 16);
  });
});
