/** Claims -> profile: only an explicit true verifies an email; mapping chooses the claims; junk is dropped. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { profileFromClaims } from '../../../src/federation/upstream-profile.ts';
import { DEFAULT_CLAIM_MAPPING, checkDomains } from '../../../src/federation/connections.ts';

describe('profileFromClaims', () => {
  it('verifies an email only on true (or the string "true" some IdPs send)', () => {
    for (const [value, verified] of [[true, true], ['true', true], [false, false], ['false', false], [1, false], [undefined, false], ['yes', false]] as const) {
      assert.equal(profileFromClaims('s', { email: 'a@b.example', email_verified: value }, DEFAULT_CLAIM_MAPPING).emailVerified, verified, String(value));
    }
  });

  it('reads mapped claims, first values of lists, and string groups only', () => {
    const profile = profileFromClaims('sub-1', { mail: ['first@b.example', 'second@b.example'], roles: ['admins', 7, '', 'devs'], name: '  Ada  ', amr: ['pwd', 'mfa'], acr: 'urn:x' }, { ...DEFAULT_CLAIM_MAPPING, email: 'mail', groups: 'roles' });
    assert.equal(profile.email, 'first@b.example');
    assert.deepEqual(profile.groups, ['admins', 'devs']);
    assert.equal(profile.name, 'Ada');
    assert.deepEqual(profile.amr, ['pwd', 'mfa']);
    assert.equal(profile.acr, 'urn:x');
  });
});

describe('checkDomains', () => {
  it('lower-cases and refuses duplicates and non-domains', () => {
    assert.deepEqual(checkDomains(['Corp.Example', 'b.example']), ['corp.example', 'b.example']);
    for (const bad of [['a.example', 'A.example'], ['localhost'], ['*.example'], ['a..example'], ['-a.example'], [42]]) {
      assert.throws(() => checkDomains(bad), JSON.stringify(bad));
    }
  });
});
