/** Which client changes end users' approvals (the reset itself is tested through HTTP: admin-client-consents.test.ts). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { approvalFieldsChanged } from '../../../src/directory/client-authorizations.ts';
import type { Client } from '../../../src/db/queries/clients.ts';

const base: Client = {
  clientId: 'c', tenantId: 't', name: 'app', type: 'confidential', secretHash: null, redirectUris: ['https://a.test/cb'], postLogoutRedirectUris: [],
  grantTypes: ['authorization_code'], scopes: ['openid', 'email'], audience: null, tokenClaims: ['groups'], serviceUserId: null, logoUri: null, policyUri: null, tosUri: null, createdAt: 0, updatedAt: 0,
};

describe('approvalFieldsChanged', () => {
  it('names redirect URIs, scopes, grant types and the authentication method, in any order of the lists', () => {
    assert.deepEqual(approvalFieldsChanged(base, { ...base, scopes: ['email', 'openid'], name: 'renamed', audience: 'x', tokenClaims: [] }), []);
    assert.deepEqual(approvalFieldsChanged(base, { ...base, redirectUris: ['https://a.test/cb', 'https://evil.test/cb'] }), ['redirect_uris']);
    assert.deepEqual(approvalFieldsChanged(base, { ...base, redirectUris: ['https://evil.test/cb'] }), ['redirect_uris']);
    assert.deepEqual(approvalFieldsChanged(base, { ...base, scopes: ['openid'], grantTypes: ['authorization_code', 'refresh_token'] }), ['scopes', 'grant_types']);
    assert.deepEqual(approvalFieldsChanged(base, { ...base, type: 'public' }), ['token_endpoint_auth_method']);
  });
});
