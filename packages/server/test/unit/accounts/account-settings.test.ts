import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TENANT_SETTINGS, mergeTenantSettings } from '../../../src/directory/tenant-settings.ts';

describe('self-service tenant settings', () => {
  it('defaults: sign-up off, verification required for sign-ups, not for sign-in, policy 8..128 strength 3', () => {
    assert.deepEqual(
      { ...DEFAULT_TENANT_SETTINGS.features.auth, password_grant_enabled: undefined },
      { password_grant_enabled: undefined, registration_enabled: false, registration_allowed_domains: [], registration_requires_verified_email: true, require_verified_email: false },
    );
    assert.deepEqual(DEFAULT_TENANT_SETTINGS.password_policy, { min_length: 8, max_length: 128, min_strength: 3 });
  });

  it('merges a partial update and keeps the other values', () => {
    const merged = mergeTenantSettings(DEFAULT_TENANT_SETTINGS, { features: { auth: { registration_enabled: true, registration_allowed_domains: ['Acme.COM'] } }, password_policy: { min_length: 12 } });
    assert.equal(merged.features.auth.registration_enabled, true);
    assert.deepEqual(merged.features.auth.registration_allowed_domains, ['acme.com']);
    assert.equal(merged.features.auth.password_grant_enabled, false);
    assert.deepEqual(merged.password_policy, { min_length: 12, max_length: 128, min_strength: 3 });
  });

  it('reports every bad value at once', () => {
    assert.throws(
      () => mergeTenantSettings(DEFAULT_TENANT_SETTINGS, { features: { auth: { registration_enabled: 'yes', registration_allowed_domains: ['not a domain'] } }, password_policy: { min_length: 4, max_length: 500, min_strength: 9, extra: 1 } }),
      (error: Error) =>
        ['registration_enabled must be true or false', 'registration_allowed_domains', 'min_length must be a whole number from 8 to 128', 'max_length must be a whole number from 8 to 128', 'min_strength must be a whole number from 0 to 4', 'unknown setting "password_policy.extra"'].every((part) => error.message.includes(part)),
    );
  });
});
