import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TENANT_SETTINGS, mergeTenantSettings, parseStoredSettings } from '../../../src/directory/tenant-settings.ts';
import { OAuthError } from '../../../src/errors/oauth-error.ts';

describe('tenant settings', () => {
  it('defaults: password grant off, refresh rotation on, RS256, 60 s codes', () => {
    assert.equal(DEFAULT_TENANT_SETTINGS.features.auth.password_grant_enabled, false);
    assert.equal(DEFAULT_TENANT_SETTINGS.refresh_token_rotation, true);
    assert.equal(DEFAULT_TENANT_SETTINGS.signing_alg, 'RS256');
    assert.equal(DEFAULT_TENANT_SETTINGS.authorization_code_lifetime, 60);
  });

  it('merges a partial update, nested feature flags included', () => {
    const merged = mergeTenantSettings(DEFAULT_TENANT_SETTINGS, { access_token_lifetime: 600, features: { auth: { password_grant_enabled: true } } });
    assert.equal(merged.access_token_lifetime, 600);
    assert.equal(merged.features.auth.password_grant_enabled, true);
    assert.equal(merged.refresh_token_lifetime, DEFAULT_TENANT_SETTINGS.refresh_token_lifetime);
  });

  it('reports every problem at once and accepts nothing partially', () => {
    assert.throws(
      () => mergeTenantSettings(DEFAULT_TENANT_SETTINGS, { access_token_lifetime: -1, authorization_code_lifetime: 600, refresh_token_rotation: 'yes', colour: 'red' }),
      (e: unknown) => e instanceof OAuthError && ['access_token_lifetime', 'authorization_code_lifetime', 'refresh_token_rotation', 'colour'].every((w) => e.message.includes(w)),
    );
  });

  it('reuse_grace: a few seconds by default, 0 (today\'s strictness) to 60 accepted, anything else refused (issue 14)', () => {
    assert.ok(DEFAULT_TENANT_SETTINGS.reuse_grace > 0 && DEFAULT_TENANT_SETTINGS.reuse_grace <= 10);
    assert.equal(mergeTenantSettings(DEFAULT_TENANT_SETTINGS, { reuse_grace: 0 }).reuse_grace, 0);
    assert.equal(mergeTenantSettings(DEFAULT_TENANT_SETTINGS, { reuse_grace: 60 }).reuse_grace, 60);
    for (const bad of [-1, 61, 2.5, '5', null]) {
      assert.throws(() => mergeTenantSettings(DEFAULT_TENANT_SETTINGS, { reuse_grace: bad }), (e: unknown) => e instanceof OAuthError && e.message.includes('reuse_grace'));
    }
  });

  it('reads stored settings leniently: unknown keys from newer versions are ignored', () => {
    const settings = parseStoredSettings(JSON.stringify({ access_token_lifetime: 120, future_setting: 1 }));
    assert.equal(settings.access_token_lifetime, 120);
  });
});
