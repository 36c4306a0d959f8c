import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serializeCookie } from '../../../src/interaction/cookies.ts';
import { contentSecurityPolicy, formTargetFor } from '../../../src/interaction/layout.ts';

describe('hosted-page cookies and CSP', () => {
  it('scopes cookies to the issuer path, HttpOnly and SameSite=Lax, Secure only over https', () => {
    assert.equal(serializeCookie('lk_session', 'abc', { path: '/t/acme', secure: false, maxAge: 60 }), 'lk_session=abc; Path=/t/acme; HttpOnly; SameSite=Lax; Max-Age=60');
    assert.equal(serializeCookie('lk_csrf', 'xyz', { path: '/t/acme', secure: true }), 'lk_csrf=xyz; Path=/t/acme; HttpOnly; SameSite=Lax; Secure');
  });

  it('forbids framing and allows forms to post only to this origin and the redirect target', () => {
    const csp = contentSecurityPolicy({ formTargets: [formTargetFor('https://app.example/cb?x=1')!, formTargetFor('com.example.app:/cb')!] });
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /form-action 'self' https:\/\/app\.example com\.example\.app:;/);
    assert.doesNotMatch(csp, /script-src/);
  });

  it('drops a form target that could inject a directive', () => {
    assert.doesNotMatch(contentSecurityPolicy({ formTargets: ["https://a.example; script-src 'unsafe-inline'"] }), /unsafe-inline/);
    assert.equal(formTargetFor('javascript:alert(1)'), undefined);
    assert.equal(formTargetFor('not a url'), undefined);
  });
});
