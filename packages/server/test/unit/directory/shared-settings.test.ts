/**
 * Tenant rows that store the same settings text share one parsed object (issue 21: the tenant cache held a copy
 * per tenant), and the caches count it once.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { settingsBytes, sharedSettings, sharedSettingsBytes } from '../../../src/directory/shared-settings.ts';
import { DEFAULT_TENANT_SETTINGS, parseStoredSettings } from '../../../src/directory/tenant-settings.ts';
import { estimateBytes } from '../../../src/util/lru-cache.ts';

describe('shared tenant settings', () => {
  it('parses each distinct text once and hands out the same object, read as parseStoredSettings reads it', () => {
    const text = JSON.stringify({ ...DEFAULT_TENANT_SETTINGS, signing_alg: 'ES256' });
    const a = sharedSettings(text);
    assert.equal(sharedSettings(text), a);
    assert.deepEqual(a, parseStoredSettings(text));
    const other = sharedSettings(JSON.stringify({ access_token_lifetime: 600 }));
    assert.notEqual(other, a);
    assert.equal(other.access_token_lifetime, 600);
    assert.equal(sharedSettings('not json'), sharedSettings('not json'));
    assert.deepEqual(sharedSettings('not json'), DEFAULT_TENANT_SETTINGS);
  });

  it('counts a shared object as a reference in each entry and once in the table', () => {
    const shared = sharedSettings('{"reuse_grace": 7}');
    assert.equal(settingsBytes(shared), 8);
    const own = parseStoredSettings('{"reuse_grace": 7}');
    assert.equal(settingsBytes(own), estimateBytes(own));
    assert.ok(sharedSettingsBytes() >= estimateBytes(shared));
  });
});
