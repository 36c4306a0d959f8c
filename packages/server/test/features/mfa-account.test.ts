/**
 * The account's security page and the passkey paths over plain HTTP, with a software authenticator: a password
 * session of a user with a factor must confirm it before changing anything; factors are removed and recovery
 * codes regenerated there (audited); a step-up to `phr` offers only the passkey and ends with `acr` phr;
 * cancelling the second step sends `access_denied` back with `state`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { freePort, startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { createSignInFixture, TEST_PASSWORD } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { CookieJar, authorizationUrl, createPkce, exchangeCode, fetchWithJar, postFormWithJar } from '../support/sign-in.ts';
import { formWithAction, jwtClaims, open, recoveryCodesOf, submit, totpCode, webauthnOptionsOf } from '../support/mfa.ts';
import type { Landing } from '../support/mfa.ts';
import { SoftwareAuthenticator } from '../support/software-authenticator.ts';
import { beginTotpEnrolment, confirmTotpEnrolment } from '../../src/authentication/factors.ts';
import { userQueries } from '../../src/db/queries/users.ts';

for (const dialect of DIALECTS) {
  describe(`account security page, passkey step-up and cancel (${dialect})`, () => {
    let server: TestServer;
    let lab: SignInFixture;
    let origin: string;
    let secret: string;
    const device = new SoftwareAuthenticator();

    before(async () => {
      const port = await freePort();
      origin = `http://localhost:${port}`;
      server = await startTestServer(dialect, { PORT: String(port), LATCHKEY_BASE_URL: origin });
      lab = await createSignInFixture(server, 'lab', { settings: { mfa: { policy: 'off' } } });
      const user = (await userQueries(server.ctx.db).findById(lab.user.id))!;
      const enrolment = await beginTotpEnrolment(server.ctx, lab.tenant, user);
      secret = enrolment.secret;
      await confirmTotpEnrolment(server.ctx, { tenant: lab.tenant, user, ip: '10.0.0.1', code: totpCode(secret, -1), factorId: enrolment.factorId, name: 'Phone' });
    });
    after(() => server.stop());

    async function passwordSession(extra: Record<string, string> = {}, jar = new CookieJar()) {
      const pkce = createPkce();
      const url = authorizationUrl({ issuer: lab.issuer, clientId: lab.clientId, redirectUri: lab.redirectUri, scope: 'openid', extra }, pkce, 'st-acc', 'n');
      let landing: Landing = await open(jar, url, lab.issuer, lab.redirectUri);
      if (landing.page === 'login') landing = await submit(jar, landing, '/login', { login: lab.login, password: TEST_PASSWORD, action: 'sign_in' }, lab.issuer, lab.redirectUri);
      if (landing.page === 'consent') landing = await submit(jar, landing, '/consent', { decision: 'allow' }, lab.issuer, lab.redirectUri);
      return { jar, landing, pkce };
    }

    it('a password session must confirm the factor before the account page changes anything; then adds a passkey, makes new codes, removes a factor', async () => {
      const { jar } = await passwordSession();
      let page = await open(jar, `${lab.issuer}/account/security`, lab.issuer, lab.redirectUri);
      assert.match(page.html!, /<h1>Confirm it’s you<\/h1>/);
      const forged = await postFormWithJar(jar, `${lab.issuer}/account/security`, { ...formWithAction(page.html!, '/mfa/totp').fields, action: 'recovery_codes' });
      assert.equal(forged.status, 403, 'no change without the second factor');
      page = await submit(jar, page, '/mfa/totp', { code: totpCode(secret) }, lab.issuer, lab.redirectUri);
      assert.match(page.html!, /<h1>Signing in<\/h1>/);
      assert.match(page.html!, /Phone<\/strong> \(Authenticator app\)/);

      const options = webauthnOptionsOf(page.html!);
      const registered = await submit(jar, page, '/mfa/enrol/passkey', { name: 'Key', response: JSON.stringify(device.register({ challenge: options.challenge, origin, rpId: 'localhost' })) }, lab.issuer, lab.redirectUri);
      assert.match(registered.html!, /Key<\/strong> \(Passkey\)/, 'a second factor goes straight back to the page');

      const codesPage = await submit(jar, registered, '/account/security', { action: 'recovery_codes' }, lab.issuer, lab.redirectUri);
      assert.equal(recoveryCodesOf(codesPage.html!).length, 10);
      page = await open(jar, `${lab.issuer}/account/security`, lab.issuer, lab.redirectUri);
      assert.match(page.html!, /10 unused recovery codes/);
      const phoneForm = [...page.html!.matchAll(/<form method="post" action="[^"]*\/account\/security">[\s\S]*?<\/form>/g)].map((m) => m[0]).find((f) => f.includes('Remove Phone'))!;
      const factorId = /name="factor_id" value="([^"]+)"/.exec(phoneForm)![1]!;
      page = await submit(jar, page, '/account/security', { action: 'remove', factor_id: factorId }, lab.issuer, lab.redirectUri);
      assert.match(page.html!, /Phone was removed\./);
      assert.doesNotMatch(page.html!, /\(Authenticator app\)/);
      const events = (await server.ctx.db.selectFrom('audit_events').select('action').where('target_id', '=', lab.user.id).execute()).map((e) => e.action);
      for (const action of ['user.mfa.enrol', 'user.mfa.recovery_codes_regenerated', 'user.mfa.remove']) assert.ok(events.includes(action), action);
    });

    it('acr_values=phr on a password session offers only the passkey, and the ID token says phr', async () => {
      const { jar } = await passwordSession();
      const pkce = createPkce();
      const url = authorizationUrl({ issuer: lab.issuer, clientId: lab.clientId, redirectUri: lab.redirectUri, scope: 'openid', extra: { acr_values: 'phr' } }, pkce, 'st-phr', 'n');
      const asked = await open(jar, url, lab.issuer, lab.redirectUri);
      assert.equal(asked.page, 'mfa');
      assert.doesNotMatch(asked.html!, /\/mfa\/totp"|\/mfa\/recovery"/, 'neither a code nor a recovery code reaches phr');
      const options = webauthnOptionsOf(asked.html!);
      const done = await submit(jar, asked, '/mfa/passkey', { response: JSON.stringify(device.assert({ challenge: options.challenge, origin, rpId: 'localhost' })) }, lab.issuer, lab.redirectUri);
      assert.equal(done.callback?.searchParams.get('state'), 'st-phr');
      const tokens = (await (await exchangeCode({ ...lab, code: done.callback!.searchParams.get('code')!, codeVerifier: pkce.verifier })).json()) as { id_token: string };
      const claims = jwtClaims(tokens.id_token);
      assert.equal(claims.acr, 'phr');
      assert.deepEqual(claims.amr, ['pwd', 'hwk', 'user', 'mfa']);
    });

    it('serves the WebAuthn modules itself, and the passkey pages allow scripts from self only (no inline script)', async () => {
      const own = await fetch(`${origin}/assets/webauthn/passkeys.js`);
      assert.equal(own.status, 200);
      assert.match(String(own.headers.get('content-type')), /^text\/javascript/);
      assert.match(await own.text(), /from '\.\/simplewebauthn\/index\.js'/);
      const library = await fetch(`${origin}/assets/webauthn/simplewebauthn/index.js`);
      assert.equal(library.status, 200);
      assert.match(await library.text(), /startAuthentication/);
      for (const path of ['/assets/webauthn/../../package.json', '/assets/webauthn/%2e%2e/package.json', '/assets/webauthn/simplewebauthn/index.d.ts', '/assets/webauthn/nope.js']) {
        const response = await fetch(`${origin}${path}`);
        assert.equal(response.status, 404, path);
      }
      const jar = new CookieJar();
      const url = authorizationUrl({ issuer: lab.issuer, clientId: lab.clientId, redirectUri: lab.redirectUri, scope: 'openid' }, createPkce(), 's', 'n');
      const login = await fetchWithJar(jar, (await fetchWithJar(jar, url)).headers.get('location')!);
      const csp = login.headers.get('content-security-policy')!;
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.match(await login.text(), /<script type="module" src="\/assets\/webauthn\/passkeys\.js"><\/script>/);
    });

    it('cancelling the second step sends access_denied back with state and iss; the step speaks ui_locales', async () => {
      const { landing, jar } = await passwordSession({ acr_values: 'urn:latchkey:acr:mfa', prompt: 'login', ui_locales: 'de' });
      assert.equal(landing.page, 'mfa');
      assert.match(landing.html!, /<html lang="de"/);
      assert.match(landing.html!, /<h1>Bestätigen Sie, dass Sie es sind<\/h1>/);
      const cancelled = await submit(jar, landing, '/mfa/cancel', {}, lab.issuer, lab.redirectUri);
      assert.equal(cancelled.callback?.searchParams.get('error'), 'access_denied');
      assert.equal(cancelled.callback?.searchParams.get('state'), 'st-acc');
      assert.equal(cancelled.callback?.searchParams.get('iss'), lab.issuer);
    });
  });
}
