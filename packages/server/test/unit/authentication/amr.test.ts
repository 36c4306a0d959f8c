/** RFC 8176 `amr` combination and the three `acr` levels (amr.ts), and the tenant policy (mfa-policy.ts). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ACR_MFA, ACR_PASSWORD, ACR_PHISHING_RESISTANT, acrOf, acrSatisfies, parseAmr, withMfa } from '../../../src/authentication/amr.ts';
import { enrolableFactors, policyRequiresSecondFactor, requestedAcr, requiredLevel } from '../../../src/authentication/mfa-policy.ts';
import { DEFAULT_TENANT_SETTINGS, mergeTenantSettings } from '../../../src/directory/tenant-settings.ts';
import type { Tenant } from '../../../src/db/queries/tenants.ts';
import type { UserRow } from '../../../src/db/queries/users.ts';
import type { UserFactorRow } from '../../../src/db/queries/user-factors.ts';

function tenantWith(mfa: Record<string, unknown>): Tenant {
  return { id: 'tnt_1', slug: 't', name: 'T', partnerId: null, settings: mergeTenantSettings(DEFAULT_TENANT_SETTINGS, { mfa }) } as unknown as Tenant;
}
const person = { id: 'usr_1', admin_role: null } as UserRow;
const admin = { id: 'usr_2', admin_role: 'tenant_admin' } as UserRow;
const totp = { id: 'fct_1', type: 'totp' } as UserFactorRow;

describe('amr and acr', () => {
  it('adds mfa only for two kinds of factor', () => {
    assert.deepEqual(withMfa(['pwd']), ['pwd']);
    assert.deepEqual(withMfa(['pwd', 'otp']), ['pwd', 'otp', 'mfa']);
    assert.deepEqual(withMfa(['hwk', 'user']), ['hwk', 'user', 'mfa']);
    assert.deepEqual(withMfa(['hwk']), ['hwk'], 'a passkey without user verification is one factor');
    assert.deepEqual(withMfa(['pwd', 'otp', 'mfa', 'otp']), ['pwd', 'otp', 'mfa']);
  });

  it('maps amr to the level, and a higher level meets a lower one', () => {
    assert.equal(acrOf(['pwd']), ACR_PASSWORD);
    assert.equal(acrOf(['pwd', 'otp', 'mfa']), ACR_MFA);
    assert.equal(acrOf(['swk', 'user', 'mfa']), ACR_PHISHING_RESISTANT);
    assert.equal(acrOf(['hwk']), ACR_PASSWORD);
    assert.ok(acrSatisfies(ACR_PHISHING_RESISTANT, ACR_MFA));
    assert.ok(!acrSatisfies(ACR_MFA, ACR_PHISHING_RESISTANT));
  });

  it('reads stored amr; rows from before strong sign-in were passwords', () => {
    assert.deepEqual(parseAmr(null), ['pwd']);
    assert.deepEqual(parseAmr('not json'), ['pwd']);
    assert.deepEqual(parseAmr('["hwk","user","mfa"]'), ['hwk', 'user', 'mfa']);
  });
});

describe('MFA policy', () => {
  it('off, optional and required; admins whatever the policy unless turned off', () => {
    assert.equal(policyRequiresSecondFactor(tenantWith({ policy: 'off' }), person, [totp]), false);
    assert.equal(policyRequiresSecondFactor(tenantWith({ policy: 'optional' }), person, []), false);
    assert.equal(policyRequiresSecondFactor(tenantWith({ policy: 'optional' }), person, [totp]), true);
    assert.equal(policyRequiresSecondFactor(tenantWith({ policy: 'required' }), person, []), true);
    assert.equal(policyRequiresSecondFactor(tenantWith({ policy: 'off' }), admin, []), true);
    assert.equal(policyRequiresSecondFactor(tenantWith({ policy: 'off', required_for_admins: false }), admin, []), false);
  });

  it('takes the weakest acceptable requested value, ignores unknown ones, and the stronger of policy and request', () => {
    assert.equal(requestedAcr(['phr', ACR_MFA]), ACR_MFA);
    assert.equal(requestedAcr(['urn:other:gold']), undefined);
    assert.equal(requiredLevel(tenantWith({ policy: 'required' }), person, [], [ACR_PASSWORD]).acr, ACR_MFA);
    assert.equal(requiredLevel(tenantWith({ policy: 'off' }), person, [], ['phr']).acr, ACR_PHISHING_RESISTANT);
    assert.deepEqual(enrolableFactors(tenantWith({}), ACR_PHISHING_RESISTANT), ['passkey']);
    assert.deepEqual(enrolableFactors(tenantWith({ allowed_factors: ['totp'] }), ACR_MFA), ['totp']);
  });

  it('validates the settings: every problem at once', () => {
    assert.throws(() => mergeTenantSettings(DEFAULT_TENANT_SETTINGS, { mfa: { policy: 'always', allowed_factors: ['sms'], extra: 1 } }), (error: Error) =>
      /mfa\.policy must be one of off, optional, required/.test(error.message) && /mfa\.allowed_factors/.test(error.message) && /unknown setting "mfa\.extra"/.test(error.message));
  });
});

describe('passkey relying party and amr', () => {
  it('takes the RP ID and origin from the base URL, and offers no passkeys on an IP address', async () => {
    const { passkeyAmr, relyingPartyOf } = await import('../../../src/authentication/passkeys.ts');
    const at = (baseUrl: string) => relyingPartyOf({ config: { baseUrl } } as Parameters<typeof relyingPartyOf>[0]);
    assert.deepEqual(at('https://id.example.com'), { id: 'id.example.com', origin: 'https://id.example.com' });
    assert.deepEqual(at('http://localhost:9000'), { id: 'localhost', origin: 'http://localhost:9000' });
    assert.equal(at('http://127.0.0.1:9000'), undefined);
    assert.equal(at('http://[::1]:9000'), undefined);
    assert.deepEqual(passkeyAmr('singleDevice', true), ['hwk', 'user']);
    assert.deepEqual(passkeyAmr('multiDevice', false), ['swk']);
  });
});
