import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { passwordPolicyProblem } from '../../../src/accounts/password-policy.ts';
import { DEFAULT_PASSWORD_POLICY } from '../../../src/accounts/account-settings.ts';

describe('password policy', () => {
  const ada = { email: 'ada@lovelace.example', firstName: 'Ada', lastName: 'Lovelace', tenantName: 'Acme' };

  it('bounds the length (8..128 by default)', async () => {
    assert.deepEqual(await passwordPolicyProblem('short', DEFAULT_PASSWORD_POLICY, ada), { key: 'page.password.too_short', values: { min: 8 } });
    assert.deepEqual(await passwordPolicyProblem('x'.repeat(129), DEFAULT_PASSWORD_POLICY, ada), { key: 'page.password.too_long', values: { max: 128 } });
  });

  it("refuses common passwords and the person's own name and address, accepts unrelated words", async () => {
    assert.equal((await passwordPolicyProblem('password1', DEFAULT_PASSWORD_POLICY, ada))?.key, 'page.password.weak');
    assert.equal((await passwordPolicyProblem('lovelace1815', DEFAULT_PASSWORD_POLICY, ada))?.key, 'page.password.personal');
    assert.equal(await passwordPolicyProblem('lovelace1815', DEFAULT_PASSWORD_POLICY, { email: 'grace@hopper.example' }), undefined, 'not personal for someone else');
    assert.equal(await passwordPolicyProblem('violet tangerine orbit lantern', DEFAULT_PASSWORD_POLICY, ada), undefined);
  });

  it('follows the tenant: min_strength 0 checks length only', async () => {
    assert.equal(await passwordPolicyProblem('password1', { ...DEFAULT_PASSWORD_POLICY, min_strength: 0 }, ada), undefined);
  });
});
