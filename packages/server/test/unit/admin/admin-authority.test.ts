/**
 * The admins-act-downward rule as pure functions: rank order, a client's rights, the before/after check, and
 * the admin audience (behaviour through HTTP: test/features/admin-authority.test.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertActsDownward, clientRights, covers, OPERATOR } from '../../../src/admin/admin-authority.ts';
import { adminAudience, audienceFor, isForAdminApi } from '../../../src/admin/admin-audience.ts';
import { OAuthError } from '../../../src/errors/oauth-error.ts';

describe('admin authority', () => {
  it('orders rights none < auditor < tenant_admin < partner_admin < super_admin', () => {
    const order = ['none', 'auditor', 'tenant_admin', 'partner_admin', 'super_admin'] as const;
    for (const [i, held] of order.entries()) for (const [j, needed] of order.entries()) assert.equal(covers(held, needed), i >= j, `${held} covers ${needed}`);
  });

  it('gives a client the higher of its service account role and tenant_admin with the admin scope', () => {
    assert.equal(clientRights(['openid'], null), 'none');
    assert.equal(clientRights(['latchkey:admin'], null), 'tenant_admin');
    assert.equal(clientRights(['openid'], 'super_admin'), 'super_admin', 'a dormant super_admin service account still counts');
    assert.equal(clientRights(['latchkey:admin'], 'partner_admin'), 'partner_admin');
    assert.equal(clientRights(['latchkey:admin'], 'tenant_admin'), 'tenant_admin');
  });

  it('refuses with 403 access_denied when the target is above the actor before or after the change', () => {
    const tenantAdmin = { role: 'tenant_admin' } as const;
    assert.doesNotThrow(() => assertActsDownward(tenantAdmin, { before: 'tenant_admin', after: 'none' }, 'x'));
    for (const target of [{ before: 'super_admin' as const }, { before: 'none' as const, after: 'partner_admin' as const }]) {
      assert.throws(() => assertActsDownward(tenantAdmin, target, 'user u'), (error: unknown) => error instanceof OAuthError && error.status === 403 && error.error === 'access_denied');
    }
    assert.doesNotThrow(() => assertActsDownward(OPERATOR, { before: 'super_admin', after: 'super_admin' }, 'x'));
  });

  it('lets an auditor change nothing, not even a principal without rights', () => {
    const auditor = { role: 'auditor' } as const;
    for (const target of [{ before: 'none' as const }, { before: 'none' as const, after: 'none' as const }]) {
      assert.throws(() => assertActsDownward(auditor, target, 'user u'), (error: unknown) => error instanceof OAuthError && error.status === 403);
    }
    assert.doesNotThrow(() => assertActsDownward({ role: 'tenant_admin' }, { before: 'none', after: 'auditor' }, 'x'), 'a tenant_admin may make an auditor');
  });

  it('mints admin tokens for the admin API and recognises only that audience', () => {
    const base = 'https://id.example.com';
    const client = { clientId: 'abc', audience: 'https://api.example' };
    assert.equal(audienceFor(base, client, ['openid', 'latchkey:admin']), adminAudience(base));
    assert.equal(audienceFor(base, client, ['read']), 'https://api.example');
    assert.equal(audienceFor(base, { clientId: 'abc', audience: null }, ['read']), 'abc');
    assert.equal(isForAdminApi(base, `${base}/admin/v1`), true);
    assert.equal(isForAdminApi(base, ['x', `${base}/admin/v1`]), true);
    for (const aud of ['abc', `${base}/admin/v1/`, `${base}/admin`, ['x'], undefined, 7]) assert.equal(isForAdminApi(base, aud), false, JSON.stringify(aud));
  });
});
