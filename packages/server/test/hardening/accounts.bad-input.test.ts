/**
 * Bad input at the self-service pages: hostile, malformed, tampered and missing tokens in links; forms without
 * (or with a forged) CSRF token, with hostile values, with JSON or no body; an unknown tenant; sign-up where the
 * tenant has none. Every answer is a 4xx HTML page (never a 5xx), nothing is reflected as markup, and nothing
 * changes but the audit trail of refused links.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { FORM, HOSTILE_VALUES, JSON_TYPE, assertRefusedCleanly, sendRaw } from '../support/bad-input.ts';
import type { BadRequest } from '../support/bad-input.ts';
import { snapshotDatabase } from '../support/snapshot.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { CookieJar, startMailedServer, submitForm } from '../support/accounts.ts';
import type { MailedServer } from '../support/accounts.ts';

const LINK_PAGES = ['reset-password', 'verify-email', 'invitation'];
const FORMS = ['forgot-password', 'reset-password', 'sign-up', 'verify-email', 'invitation', 'account/sign-in'];
const ACCOUNT_FORMS = ['account/profile', 'account/email', 'account/password', 'account/sessions/end', 'account/sessions/end-others', 'account/applications/revoke', 'account/sign-out'];

function formOf(value: string, extra: Record<string, string> = {}): string {
  const fields = { email: value, password: value, token: value, login: value, first_name: value, last_name: value, interaction: value, new_email: value, current_password: value, new_password: value, session: value, client_id: value, username: value, ...extra };
  return new URLSearchParams(fields).toString();
}

for (const dialect of DIALECTS) {
  describe(`self-service pages refuse bad input cleanly (${dialect})`, () => {
    let env: MailedServer;
    let acme: SignInFixture;
    let sessionCookie: string;

    before(async () => {
      env = await startMailedServer(dialect);
      acme = await createSignInFixture(env.server, 'acme', { settings: { features: { auth: { registration_enabled: true } } } });
      await createSignInFixture(env.server, 'closed');
      const jar = new CookieJar();
      const signedIn = await submitForm(jar, `${acme.issuer}/account`, { login: acme.login, password: acme.password });
      assert.equal(signedIn.status, 303);
      sessionCookie = `lk_session=${jar.get('lk_session')!}; lk_csrf=${jar.get('lk_csrf')!}`;
    });
    after(() => env?.stop());

    it('answers every bad request with a 4xx page and changes nothing but the audit trail', async () => {
      const cases: BadRequest[] = [];
      for (const value of HOSTILE_VALUES) {
        const encoded = encodeURIComponent(value);
        for (const page of LINK_PAGES) cases.push({ name: `${page} with token ${value.slice(0, 20)}`, method: 'GET', path: `/t/acme/${page}?token=${encoded}`, expect: 'html', status: 400 });
        for (const form of FORMS) {
          cases.push({ name: `${form} without CSRF, ${value.slice(0, 20)}`, method: 'POST', path: `/t/acme/${form}`, headers: FORM, body: formOf(value), expect: 'html' });
          cases.push({ name: `${form} with a forged CSRF token`, method: 'POST', path: `/t/acme/${form}`, headers: { ...FORM, cookie: 'lk_csrf=forged-browser-secret-0123456789' }, body: formOf(value, { csrf_token: 'forged' }), expect: 'html' });
        }
        for (const form of ACCOUNT_FORMS) {
          cases.push({ name: `${form} signed in, forged CSRF`, method: 'POST', path: `/t/acme/${form}`, headers: { ...FORM, cookie: sessionCookie }, body: formOf(value, { csrf_token: value }), expect: 'html' });
        }
      }
      for (const form of [...FORMS, ...ACCOUNT_FORMS]) {
        cases.push({ name: `${form} with JSON`, method: 'POST', path: `/t/acme/${form}`, headers: { ...JSON_TYPE, cookie: sessionCookie }, body: '{"email":"ada@acme.example"}', expect: 'html' });
        cases.push({ name: `${form} with no body`, method: 'POST', path: `/t/acme/${form}`, headers: { ...FORM, cookie: sessionCookie }, body: '', expect: 'html' });
      }
      cases.push(
        { name: 'unknown tenant', method: 'GET', path: '/t/nope/forgot-password', expect: 'html', status: 404 },
        { name: 'unknown tenant account', method: 'GET', path: '/t/nope/account', expect: 'html', status: 404 },
        { name: 'sign-up where the tenant has none', method: 'GET', path: '/t/closed/sign-up', expect: 'html', status: 404 },
        { name: 'a token of the right shape that exists nowhere', method: 'GET', path: `/t/acme/reset-password?token=${'A'.repeat(43)}`, expect: 'html', status: 400 },
        { name: 'two tokens', method: 'GET', path: `/t/acme/invitation?token=${'A'.repeat(43)}&token=${'B'.repeat(43)}`, expect: 'html' },
      );

      const strip = (snapshot: Record<string, unknown[]>) => ({ ...snapshot, audit_events: [] });
      const before = strip(await snapshotDatabase(env.server.ctx.db, dialect));
      const auditBefore = (await env.server.ctx.db.selectFrom('audit_events').select('id').execute()).length;
      for (const request of cases) assertRefusedCleanly(request, await sendRaw(env.server.url, request));
      assert.deepEqual(strip(await snapshotDatabase(env.server.ctx.db, dialect)), before, 'a refused request changed the database');
      const refusedLinks = await env.server.ctx.db.selectFrom('audit_events').select('action').where('action', 'like', 'account.%.link_refused').execute();
      assert.ok(refusedLinks.length >= HOSTILE_VALUES.length * LINK_PAGES.length, 'every refused link is audited');
      assert.ok((await env.server.ctx.db.selectFrom('audit_events').select('id').execute()).length > auditBefore);
      assert.ok(cases.length > 300);
    });
  });
}
