/**
 * Bad input at the authorization endpoint and the hosted sign-in and consent forms. Before the client and its
 * redirect URI check out, every error is an HTML page (4xx, never a redirect); after, errors go back to the
 * registered redirect URI with `state` intact and no header injection. Forms without or with forged CSRF tokens
 * are refused with an HTML 4xx page. Nothing is reflected as markup and the database does not change.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { CookieJar, authorizationUrl, createPkce, fetchWithJar, readForm } from '../support/sign-in.ts';
import { FORM, HOSTILE_VALUES, MARKUP_PROBE, JSON_TYPE, assertRefusedCleanly, runBadInputCases, sendRaw } from '../support/bad-input.ts';
import type { BadRequest, RawResponse } from '../support/bad-input.ts';
import { snapshotDatabase } from '../support/snapshot.ts';

const HOSTILE_REDIRECTS = [
  'javascript:alert(1)',
  'javascript://127.0.0.1:5999/callback%0aalert(1)',
  'data:text/html,<script>alert(1)</script>',
  'http://127.0.0.1:5999/callback#fragment',
  'http://127.0.0.1:5999/callback/',
  'http://127.0.0.1:5999/callback?x=1',
  'HTTP://127.0.0.1:5999/callback',
  'http://127.0.0.1:5999/callback\r\nX-Injected: yes',
  'http://127.0.0.1:5999/callback%0d%0aX-Injected:%20yes',
  'http://evil.example/callback',
  'http://127.0.0.1:5999@evil.example/callback',
  '//evil.example/callback',
  '/callback',
  'http://127.0.0.1:5999/callback/../evil',
  'http://127.0.0.1:5999/CALLBACK',
  ' http://127.0.0.1:5999/callback',
];

function query(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

function html(name: string, method: string, path: string, extra: Partial<BadRequest> = {}): BadRequest {
  return { name, method, path, expect: 'html', ...extra };
}

/** Requests that must end on the HTML error page: the client or redirect URI is wrong, or the request unreadable. */
function pageCases(f: SignInFixture, tenantPath: string): BadRequest[] {
  const authorize = `${tenantPath}/oauth2/authorize`;
  const valid = { response_type: 'code', client_id: f.clientId, redirect_uri: f.redirectUri, scope: 'openid', state: 'st' };
  const cases: BadRequest[] = [];
  const both = (name: string, params: string) => {
    cases.push(html(`GET ${name}`, 'GET', `${authorize}?${params}`));
    cases.push(html(`POST ${name}`, 'POST', authorize, { headers: FORM, body: params }));
  };
  both('no parameters', '');
  both('unknown client', query({ ...valid, client_id: 'no-such-client' }));
  both('empty client_id', query({ ...valid, client_id: '' }));
  both('missing client_id', query({ response_type: 'code', redirect_uri: f.redirectUri }));
  both('missing redirect_uri', query({ response_type: 'code', client_id: f.clientId }));
  both('empty redirect_uri', query({ ...valid, redirect_uri: '' }));
  both('huge client_id', query({ ...valid, client_id: 'c'.repeat(4000) }));
  both('duplicated client_id', `${query(valid)}&client_id=${encodeURIComponent(f.clientId)}`);
  both('duplicated redirect_uri', `${query(valid)}&redirect_uri=${encodeURIComponent('http://evil.example/cb')}`);
  both('duplicated state', `${query(valid)}&state=again`);
  both('bad percent-encoding', `${query(valid)}&state=%E0%A4%A`);
  both('lone percent', `${query(valid)}&state=%`);
  both('percent-encoded non-UTF-8', `${query(valid)}&nonce=%ff%fe`);
  both('NUL in a parameter', `${query(valid)}&nonce=a%00b`);
  both('oversized parameter', query({ ...valid, login_hint: 'x'.repeat(5000) }));
  both('oversized state', query({ ...valid, state: `${MARKUP_PROBE}${'s'.repeat(5000)}` }));
  for (const redirect of HOSTILE_REDIRECTS) both(`hostile redirect_uri ${JSON.stringify(redirect).slice(0, 40)}`, query({ ...valid, redirect_uri: redirect }));
  for (const value of HOSTILE_VALUES) {
    // Hostile client_id / redirect_uri: never trusted, so an error page (markup in them must not come back raw).
    both(`hostile client_id ${JSON.stringify(value).slice(0, 30)}`, query({ ...valid, client_id: value, state: MARKUP_PROBE }));
    both(`hostile redirect_uri ${JSON.stringify(value).slice(0, 30)}`, query({ ...valid, redirect_uri: value, state: MARKUP_PROBE }));
    // A hostile value in every other parameter of a request whose client is unknown: still the page.
    for (const name of ['state', 'scope', 'nonce', 'login_hint', 'prompt', 'response_type', 'code_challenge', 'id_token_hint']) {
      cases.push(html(`unknown client, hostile ${name}=${JSON.stringify(value).slice(0, 20)}`, 'GET', `${authorize}?${query({ ...valid, client_id: 'nobody', [name]: value })}`));
    }
    cases.push(html(`hostile tenant ${JSON.stringify(value).slice(0, 30)}`, 'GET', `/t/${encodeURIComponent(value)}/oauth2/authorize?${query(valid)}`));
  }
  cases.push(html('unknown tenant', 'GET', `/t/nobody/oauth2/authorize?${query(valid)}`));
  for (const type of ['application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/xml']) {
    cases.push(html(`POST content type ${type}`, 'POST', authorize, { headers: { 'content-type': type }, body: type === 'application/json' ? JSON.stringify(valid) : query(valid) }));
  }
  cases.push(html('POST without content type', 'POST', authorize, { body: query(valid) }));
  cases.push(html('POST non-UTF-8 bytes', 'POST', authorize, { headers: FORM, body: Buffer.from([0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x5f, 0x69, 0x64, 0x3d, 0xff, 0xfe]) }));
  cases.push(html('POST many parameters', 'POST', authorize, { headers: FORM, body: Array.from({ length: 3000 }, (_, i) => `p${i}=v`).join('&') }));
  cases.push(html('POST oversized body', 'POST', authorize, { headers: FORM, body: `${query({ ...valid, client_id: 'x' })}&pad=${'x'.repeat(80_000)}` }));
  cases.push(html('oversized query', 'GET', `${authorize}?${query({ ...valid, client_id: 'x' })}&pad=${'x'.repeat(7000)}`));
  for (const method of ['PUT', 'DELETE', 'PATCH']) cases.push(html(`method ${method}`, method, `${authorize}?${query(valid)}`));
  return cases;
}

/** Hosted forms without a valid CSRF token, or for an interaction that does not exist: refused, nothing changes. */
function formCases(f: SignInFixture, tenantPath: string, interactionId: string, csrfCookie: string): BadRequest[] {
  const cases: BadRequest[] = [];
  const withCookie = { ...FORM, cookie: `lk_csrf=${csrfCookie}` };
  for (const page of ['login', 'consent']) {
    const path = `${tenantPath}/${page}`;
    const fields = { interaction: interactionId, login: f.login, password: 'wrong password', decision: 'allow', action: 'sign_in' };
    cases.push(html(`${page}: no CSRF token, no cookie`, 'POST', path, { headers: FORM, body: query(fields) }));
    cases.push(html(`${page}: no CSRF token`, 'POST', path, { headers: withCookie, body: query(fields) }));
    cases.push(html(`${page}: empty CSRF token`, 'POST', path, { headers: withCookie, body: query({ ...fields, csrf_token: '' }) }));
    cases.push(html(`${page}: forged CSRF token`, 'POST', path, { headers: withCookie, body: query({ ...fields, csrf_token: 'A'.repeat(43) }) }));
    cases.push(html(`${page}: token without cookie`, 'POST', path, { headers: FORM, body: query({ ...fields, csrf_token: 'A'.repeat(43) }) }));
    cases.push(html(`${page}: duplicated interaction`, 'POST', path, { headers: withCookie, body: `${query(fields)}&interaction=x` }));
    cases.push(html(`${page}: JSON body`, 'POST', path, { headers: { ...JSON_TYPE, cookie: `lk_csrf=${csrfCookie}` }, body: JSON.stringify(fields) }));
    cases.push(html(`${page}: bad percent-encoding`, 'POST', path, { headers: withCookie, body: `${query(fields)}&login=%E0%A4%A` }));
    cases.push(html(`${page}: hostile cookie`, 'POST', path, { headers: { ...FORM, cookie: `lk_csrf=${encodeURIComponent(MARKUP_PROBE)}; lk_session=${'%'.repeat(50)}` }, body: query(fields) }));
    cases.push(html(`${page} page: no interaction`, 'GET', path));
    cases.push(html(`${page} page: unknown interaction`, 'GET', `${path}?interaction=nope`));
    for (const value of HOSTILE_VALUES) {
      const label = JSON.stringify(value).slice(0, 24);
      cases.push(html(`${page}: hostile interaction ${label}`, 'POST', path, { headers: withCookie, body: query({ ...fields, interaction: value }) }));
      cases.push(html(`${page} page: hostile interaction ${label}`, 'GET', `${path}?${query({ interaction: value })}`));
      for (const name of ['login', 'password', 'csrf_token', 'decision', 'action']) {
        cases.push(html(`${page}: forged token, hostile ${name} ${label}`, 'POST', path, { headers: withCookie, body: query({ ...fields, csrf_token: 'forged', [name]: value }) }));
      }
    }
  }
  cases.push(html('logout confirm: no CSRF token', 'POST', `${tenantPath}/logout/confirm`, { headers: withCookie, body: query({ decision: 'yes' }) }));
  cases.push(html('logout confirm: forged CSRF token', 'POST', `${tenantPath}/logout/confirm`, { headers: withCookie, body: query({ csrf_token: 'forged', logout: 'x' }) }));
  return cases;
}

function assertSafeRedirect(f: SignInFixture, state: string, response: RawResponse, label: string): void {
  assert.ok(response.status === 302 || response.status === 303, `${label}: ${response.status} ${response.body.slice(0, 200)}`);
  const location = String(response.headers.location ?? '');
  assert.ok(!/[\r\n]/.test(location), `${label}: raw CR/LF in Location`);
  assert.ok(location.startsWith(`${f.redirectUri}?`), `${label}: Location ${location.slice(0, 120)} is not the registered URI`);
  const url = new URL(location);
  assert.equal(`${url.origin}${url.pathname}`, f.redirectUri, label);
  assert.equal(url.searchParams.get('state'), state, `${label}: state did not come back unchanged`);
  assert.ok(url.searchParams.get('error'), `${label}: no error in the redirect`);
  for (const name of Object.keys(response.headers)) assert.ok(!name.startsWith('x-injected'), `${label}: header injection`);
}

for (const dialect of DIALECTS) {
  describe(`authorization endpoint and hosted forms bad input (${dialect})`, () => {
    let server: TestServer;
    let f: SignInFixture;
    let tenantPath: string;
    let interactionId: string;
    let csrfCookie: string;
    before(async () => {
      server = await startTestServer(dialect, {
        LATCHKEY_RATE_LIMIT_PER_CLIENT: '0',
        LATCHKEY_RATE_LIMIT_PER_IP: '0',
        LATCHKEY_SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '1000000',
        LATCHKEY_SIGN_IN_MAX_FAILURES_PER_IP: '1000000',
      });
      f = await createSignInFixture(server, 'acme');
      tenantPath = new URL(f.issuer).pathname;
      // One real interaction (its creation is legitimate) so the forms have something to be forged against.
      const jar = new CookieJar();
      const start = await fetchWithJar(jar, authorizationUrl({ issuer: f.issuer, clientId: f.clientId, redirectUri: f.redirectUri }, createPkce(), 's', 'n'));
      const loginUrl = new URL(start.headers.get('location')!, f.issuer);
      interactionId = loginUrl.searchParams.get('interaction')!;
      readForm(await (await fetchWithJar(jar, loginUrl.href)).text());
      csrfCookie = jar.get('lk_csrf')!;
      assert.ok(interactionId && csrfCookie);
    });
    after(() => server.stop());

    it('shows an HTML error page (4xx, no redirect) for every bad client, redirect URI or unreadable request', async (t) => {
      const count = await runBadInputCases(server.url, server.ctx.db, dialect, pageCases(f, tenantPath));
      assert.ok(count >= 200, `the generator shrank to ${count} cases`);
      t.diagnostic(`${count} cases`);
    });

    it('refuses hosted form posts without a valid CSRF token with an HTML 4xx page', async (t) => {
      const count = await runBadInputCases(server.url, server.ctx.db, dialect, formCases(f, tenantPath, interactionId, csrfCookie));
      assert.ok(count >= 150, `the generator shrank to ${count} cases`);
      t.diagnostic(`${count} cases`);
    });

    it('sends errors for a valid client back to its registered URI with state unchanged and no header injection', async (t) => {
      const before = await snapshotDatabase(server.ctx.db, dialect);
      const authorize = `${tenantPath}/oauth2/authorize`;
      const broken: Record<string, string>[] = [{ response_type: 'token' }, { response_type: '' }, { scope: 'openid not-a-scope' }, { prompt: 'bogus' }, { code_challenge_method: 'plain', code_challenge: 'x'.repeat(43) }, { max_age: '-1' }, { id_token_hint: 'a.b.c' }, { request: 'eyJ' }];
      const states = [...HOSTILE_VALUES.filter((v) => !v.includes('\0') && v.length <= 4096), 'a\r\nLocation: http://evil.example', 'x&error=none&iss=http://evil.example', '#frag', ' '];
      let count = 0;
      for (const state of states) {
        for (const problem of broken) {
          const params = query({ client_id: f.clientId, redirect_uri: f.redirectUri, response_type: 'code', scope: 'openid', state, nonce: MARKUP_PROBE, login_hint: MARKUP_PROBE, ...problem });
          const label = `state ${JSON.stringify(state).slice(0, 30)} with ${JSON.stringify(problem)}`;
          assertSafeRedirect(f, state, await sendRaw(server.url, { name: label, method: 'GET', path: `${authorize}?${params}` }), `GET ${label}`);
          assertSafeRedirect(f, state, await sendRaw(server.url, { name: label, method: 'POST', path: authorize, headers: FORM, body: params }), `POST ${label}`);
          count += 2;
        }
      }
      assert.ok(count >= 250, `the generator shrank to ${count} cases`);
      t.diagnostic(`${count} cases`);
      assert.deepEqual(await snapshotDatabase(server.ctx.db, dialect), before);
    });

    it('form_post errors escape a hostile state in the auto-submitted page', async () => {
      const params = query({ client_id: f.clientId, redirect_uri: f.redirectUri, response_type: 'token', response_mode: 'form_post', state: `"><${MARKUP_PROBE}` });
      const response = await sendRaw(server.url, { name: 'form_post', method: 'GET', path: `${tenantPath}/oauth2/authorize?${params}` });
      assert.equal(response.status, 200);
      assert.ok(!response.body.includes('<script>alert(1)'), response.body);
    });

    it('a failed sign-in with hostile credentials re-renders the form (4xx), escaped; only the audit log changes', async () => {
      // A failed sign-in legitimately writes `user.sign_in` failure events to audit_events, so that table is left out.
      const withoutAudit = async () => {
        const snapshot = await snapshotDatabase(server.ctx.db, dialect);
        delete snapshot.audit_events;
        return snapshot;
      };
      const jar = new CookieJar();
      const start = await fetchWithJar(jar, authorizationUrl({ issuer: f.issuer, clientId: f.clientId, redirectUri: f.redirectUri }, createPkce(), 's', 'n'));
      const loginUrl = new URL(start.headers.get('location')!, f.issuer).href;
      const before = await withoutAudit();
      const logins = fc.oneof(fc.constantFrom(...HOSTILE_VALUES.filter((v) => !v.includes('\0'))), fc.string({ minLength: 1 }), fc.constant(f.login));
      await fc.assert(
        fc.asyncProperty(logins, fc.oneof(fc.string({ minLength: 1 }), fc.constantFrom(...HOSTILE_VALUES.filter((v) => !v.includes('\0')))), async (login, password) => {
          if (password === f.password || login.trim() === '' || password === '') return;
          const { action, fields } = readForm(await (await fetchWithJar(jar, loginUrl)).text());
          const response = await fetchWithJar(jar, action, { method: 'POST', headers: FORM, body: query({ ...fields, login, password, action: 'sign_in' }) });
          const body = await response.text();
          const request: BadRequest = { name: `sign in as ${JSON.stringify(login).slice(0, 30)}`, method: 'POST', path: action, expect: 'html' };
          assertRefusedCleanly(request, { status: response.status, headers: Object.fromEntries(response.headers), body });
          assert.equal(response.status, 401, body.slice(0, 300));
        }),
        { numRuns: 60 },
      );
      assert.deepEqual(await withoutAudit(), before);
    });
  });
}
