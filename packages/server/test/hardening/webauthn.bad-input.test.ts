/**
 * Malformed and hostile WebAuthn responses: a wrong challenge, origin or RP ID hash, a replayed assertion, a
 * tampered signature, an unknown credential id, oversized and non-JSON payloads. Each gets a clear 4xx (never
 * a 5xx), changes nothing (no session, no factor, the signature counter unmoved) and is audited. A software
 * authenticator builds valid responses; each case breaks exactly one thing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { freePort, startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { CookieJar, authorizationUrl, createPkce, postFormWithJar, signIn } from '../support/sign-in.ts';
import { formWithAction, open, webauthnOptionsOf } from '../support/mfa.ts';
import { SoftwareAuthenticator } from '../support/software-authenticator.ts';
import type { CeremonyOptions } from '../support/software-authenticator.ts';

for (const dialect of DIALECTS) {
  describe(`WebAuthn responses that must be refused (${dialect})`, () => {
    let server: TestServer;
    let acme: SignInFixture;
    let origin: string;
    const device = new SoftwareAuthenticator();

    before(async () => {
      const port = await freePort();
      origin = `http://localhost:${port}`;
      server = await startTestServer(dialect, { PORT: String(port), LATCHKEY_BASE_URL: origin });
      acme = await createSignInFixture(server, 'acme');
    });
    after(() => server.stop());

    async function failures(action: string): Promise<number> {
      const rows = await server.ctx.db.selectFrom('audit_events').select('id').where('tenant_id', '=', acme.tenant.id).where('action', '=', action).where('outcome', '=', 'failure').execute();
      return rows.length;
    }

    /** Opens the account page of a password session and returns its passkey registration form. */
    async function registrationForm(jar: CookieJar) {
      const page = await open(jar, `${acme.issuer}/account/security`, acme.issuer, acme.redirectUri);
      assert.equal(page.status, 200);
      const { action, fields } = formWithAction(page.html!, '/mfa/enrol/passkey');
      return { action, fields, challenge: webauthnOptionsOf(page.html!).challenge };
    }

    /** A fresh login page with its passkey form: the discoverable sign-in challenge. */
    async function loginForm() {
      const jar = new CookieJar();
      const url = authorizationUrl({ issuer: acme.issuer, clientId: acme.clientId, redirectUri: acme.redirectUri, scope: 'openid' }, createPkce(), 's-1', 'n-1');
      const page = await open(jar, url, acme.issuer, acme.redirectUri);
      assert.equal(page.page, 'login');
      const { action, fields } = formWithAction(page.html!, '/login/passkey');
      return { jar, action, fields, challenge: webauthnOptionsOf(page.html!).challenge };
    }

    function ceremony(challenge: string, change: Partial<CeremonyOptions> = {}): CeremonyOptions {
      return { challenge, origin, rpId: 'localhost', ...change };
    }

    async function expectRefused(response: Response, pattern: RegExp): Promise<void> {
      const body = await response.text();
      assert.ok(response.status >= 400 && response.status < 500, `status ${response.status}`);
      assert.match(body, pattern);
      assert.equal(response.headers.getSetCookie().some((c) => c.startsWith('lk_session=') && !c.startsWith('lk_session=;')), false, 'no session was started');
    }

    it('registration: a wrong origin or a wrong challenge is refused and stores no passkey; the real one is stored', async () => {
      const { jar } = await signIn({ ...acme, scope: 'openid' });
      let form = await registrationForm(jar);
      const before = await failures('user.mfa.enrol');
      await expectRefused(await postFormWithJar(jar, form.action, { ...form.fields, response: JSON.stringify(device.register(ceremony(form.challenge, { origin: 'https://evil.example' }))) }), /not accepted: .*origin/i);
      form = await registrationForm(jar);
      await expectRefused(await postFormWithJar(jar, form.action, { ...form.fields, response: JSON.stringify(device.register(ceremony('d3JvbmctY2hhbGxlbmdl'))) }), /not accepted: .*challenge/i);
      assert.equal((await server.ctx.db.selectFrom('user_factors').select('id').where('user_id', '=', acme.user.id).execute()).length, 0);
      assert.equal(await failures('user.mfa.enrol'), before + 2);

      form = await registrationForm(jar);
      const stored = await postFormWithJar(jar, form.action, { ...form.fields, name: 'Software key', response: JSON.stringify(device.register(ceremony(form.challenge))) });
      assert.equal(stored.status, 200);
      assert.match(await stored.text(), /Save your recovery codes/);
    });

    it('a valid assertion signs in without a password (the baseline the other cases break)', async () => {
      const form = await loginForm();
      const response = await postFormWithJar(form.jar, form.action, { ...form.fields, response: JSON.stringify(device.assert(ceremony(form.challenge))) });
      assert.equal(response.status, 303);
      assert.ok(form.jar.get('lk_session'));
    });

    const cases: Array<{ name: string; build: (challenge: string) => string; pattern: RegExp }> = [
      { name: 'a wrong challenge', build: () => JSON.stringify(device.assert(ceremony('b3RoZXItY2hhbGxlbmdl'))), pattern: /challenge/i },
      { name: 'a wrong origin', build: (c) => JSON.stringify(device.assert(ceremony(c, { origin: 'https://phish.example' }))), pattern: /origin/i },
      { name: 'a wrong RP ID hash', build: (c) => JSON.stringify(device.assert(ceremony(c, { rpIdHashOf: 'phish.example' }))), pattern: /RP ID/i },
      { name: 'a tampered signature', build: (c) => JSON.stringify(device.assert(ceremony(c, { tamperSignature: true }))), pattern: /signature/i },
      { name: 'an unknown credential id', build: (c) => JSON.stringify(device.assert(ceremony(c, { credentialId: 'dW5rbm93bi1jcmVkZW50aWFs' }))), pattern: /not registered here/ },
      { name: 'an oversized response', build: (c) => JSON.stringify({ ...device.assert(ceremony(c)), padding: 'x'.repeat(20_000) }), pattern: /too large/ },
      { name: 'a response that is not JSON', build: () => '{"id": ', pattern: /not a WebAuthn assertion/ },
      { name: 'JSON of the wrong shape', build: () => JSON.stringify({ id: 'abc', response: 'nope' }), pattern: /not accepted/ },
    ];
    for (const { name, build, pattern } of cases) {
      it(`refuses ${name}: 4xx, no session, counter unmoved, audited`, async () => {
        const countBefore = (await server.ctx.db.selectFrom('user_factors').select('sign_count').where('user_id', '=', acme.user.id).executeTakeFirstOrThrow()).sign_count;
        const auditBefore = await failures('user.sign_in');
        const form = await loginForm();
        await expectRefused(await postFormWithJar(form.jar, form.action, { ...form.fields, response: build(form.challenge) }), pattern);
        assert.equal(form.jar.get('lk_session'), undefined);
        const countAfter = (await server.ctx.db.selectFrom('user_factors').select('sign_count').where('user_id', '=', acme.user.id).executeTakeFirstOrThrow()).sign_count;
        assert.equal(Number(countAfter), Number(countBefore));
        assert.equal(await failures('user.sign_in'), auditBefore + 1);
      });
    }

    it('refuses a replayed assertion (the challenge was used) and a body past the size limit (413)', async () => {
      const form = await loginForm();
      const response = JSON.stringify(device.assert(ceremony(form.challenge)));
      assert.equal((await postFormWithJar(form.jar, form.action, { ...form.fields, response })).status, 303);
      // The same response again, in a new sign-in (the first one is complete): its challenge was used.
      const again = await loginForm();
      await expectRefused(await postFormWithJar(again.jar, again.action, { ...again.fields, challenge_id: form.fields.challenge_id!, response }), /challenge is unknown, expired or was already used/);
      const huge = await postFormWithJar(new CookieJar(), form.action, { ...form.fields, response: 'x'.repeat(2 * 1024 * 1024) });
      assert.equal(huge.status, 413);
    });
  });
}
