/**
 * Strong sign-in with an authenticator app and recovery codes, through real HTTP like a browser without
 * JavaScript: enrolment during sign-in (policy `required`) that resumes the authorization with `state` and `iss`
 * intact, TOTP sign-in with a code computed here, replay refused, lockout after wrong codes (429 + a wait
 * message), recovery codes single-use, `required_for_admins`, step-up by `acr_values` on a password session
 * (only the second factor is asked, `auth_time` unchanged), and `amr`/`acr` in the ID and access tokens.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { postForm, json } from '../support/http.ts';
import { createSignInFixture, TEST_PASSWORD } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { CookieJar, authorizationUrl, createPkce, exchangeCode, postFormWithJar } from '../support/sign-in.ts';
import { formWithAction, jwtClaims, linkContaining, open, recoveryCodesOf, submit, totpCode, totpSecretOf } from '../support/mfa.ts';
import type { Landing } from '../support/mfa.ts';
import { createUser } from '../../src/directory/users.ts';
import { beginTotpEnrolment, confirmTotpEnrolment } from '../../src/authentication/factors.ts';
import { userQueries } from '../../src/db/queries/users.ts';

interface Started {
  readonly jar: CookieJar;
  readonly landing: Landing;
  readonly state: string;
  readonly pkce: ReturnType<typeof createPkce>;
}

async function startAuthorization(fx: SignInFixture, extra: Record<string, string> = {}, jar = new CookieJar()): Promise<Started> {
  const pkce = createPkce();
  const state = `st-${Math.random().toString(36).slice(2)}`;
  const url = authorizationUrl({ issuer: fx.issuer, clientId: fx.clientId, redirectUri: fx.redirectUri, scope: 'openid email', extra }, pkce, state, 'n-1');
  return { jar, state, pkce, landing: await open(jar, url, fx.issuer, fx.redirectUri) };
}

async function password(fx: SignInFixture, started: Started, login = fx.login): Promise<Landing> {
  assert.equal(started.landing.page, 'login');
  return submit(started.jar, started.landing, '/login', { login, password: TEST_PASSWORD, action: 'sign_in' }, fx.issuer, fx.redirectUri);
}

/** Allows consent when asked, and returns the callback. */
async function finish(fx: SignInFixture, jar: CookieJar, landing: Landing): Promise<URL> {
  let current = landing;
  if (current.page === 'consent') current = await submit(jar, current, '/consent', { decision: 'allow' }, fx.issuer, fx.redirectUri);
  assert.ok(current.callback, `expected the callback, got page ${current.page} (${current.status}): ${current.html?.slice(0, 300)}`);
  return current.callback;
}

async function tokensFor(fx: SignInFixture, started: Started, callback: URL): Promise<Record<string, unknown>> {
  const response = await exchangeCode({ issuer: fx.issuer, clientId: fx.clientId, clientSecret: fx.clientSecret, redirectUri: fx.redirectUri, code: callback.searchParams.get('code')!, codeVerifier: started.pkce.verifier });
  const body = await json(response);
  assert.equal(response.status, 200, JSON.stringify(body));
  return body;
}

/** Enrols a TOTP factor for a user directly through the factor service; returns the secret. */
async function enrolTotp(server: TestServer, fx: SignInFixture, userId: string): Promise<string> {
  const user = (await userQueries(server.ctx.db).findById(userId))!;
  const enrolment = await beginTotpEnrolment(server.ctx, fx.tenant, user);
  const result = await confirmTotpEnrolment(server.ctx, { tenant: fx.tenant, user, ip: '10.9.9.9', code: totpCode(enrolment.secret, -1), factorId: enrolment.factorId, name: 'Phone' });
  assert.equal(result.outcome, 'success');
  return enrolment.secret;
}

for (const dialect of DIALECTS) {
  describe(`strong sign-in with TOTP and recovery codes (${dialect})`, () => {
    let server: TestServer;
    let shop: SignInFixture;
    let secret: string;
    let recoveryCodes: string[];

    before(async () => {
      server = await startTestServer(dialect);
      shop = await createSignInFixture(server, 'shop', { settings: { mfa: { policy: 'required' } } });
    });
    after(() => server.stop());

    it('policy required: a user without a factor enrols an authenticator app during sign-in, then the request completes with state and iss', async () => {
      const started = await startAuthorization(shop);
      const choice = await password(shop, started);
      assert.equal(choice.page, 'mfa');
      assert.match(choice.html!, /<h1>Set up a second factor<\/h1>/);
      const enrolPage = await open(started.jar, linkContaining(choice.html!, '/mfa/enrol/totp'), shop.issuer, shop.redirectUri);
      assert.equal(enrolPage.status, 200);
      assert.match(enrolPage.html!, /<svg[^>]*viewBox/, 'the QR code is drawn on the page');
      secret = totpSecretOf(enrolPage.html!);

      const wrong = await submit(started.jar, enrolPage, '/mfa/enrol/totp', { code: '000000' === totpCode(secret) ? '111111' : '000000' }, shop.issuer, shop.redirectUri);
      assert.equal(wrong.status, 400);
      assert.equal(totpSecretOf(wrong.html!), secret, 'the same secret is shown again after a wrong code');

      const codesPage = await submit(started.jar, wrong, '/mfa/enrol/totp', { code: totpCode(secret), name: 'My phone' }, shop.issuer, shop.redirectUri);
      assert.equal(codesPage.page, 'mfa/enrol/totp');
      recoveryCodes = recoveryCodesOf(codesPage.html!);
      assert.equal(recoveryCodes.length, 10);
      assert.equal(new Set(recoveryCodes).size, 10);

      const callback = await finish(shop, started.jar, await open(started.jar, linkContaining(codesPage.html!, '/mfa?interaction='), shop.issuer, shop.redirectUri));
      assert.equal(callback.searchParams.get('state'), started.state);
      assert.equal(callback.searchParams.get('iss'), shop.issuer);
      const tokens = await tokensFor(shop, started, callback);
      const idToken = jwtClaims(tokens.id_token as string);
      assert.deepEqual(idToken.amr, ['pwd', 'otp', 'mfa']);
      assert.equal(idToken.acr, 'urn:latchkey:acr:mfa');
      const accessToken = jwtClaims(tokens.access_token as string);
      assert.deepEqual(accessToken.amr, ['pwd', 'otp', 'mfa']);
      assert.equal(accessToken.acr, 'urn:latchkey:acr:mfa');

      const stored = await server.ctx.db.selectFrom('user_factors').selectAll().where('user_id', '=', shop.user.id).execute();
      assert.equal(stored.length, 1);
      assert.equal(stored[0]!.name, 'My phone');
      assert.ok(stored[0]!.secret_sealed!.split('.').length === 5 && !stored[0]!.secret_sealed!.includes(secret), 'the secret is stored sealed (a compact JWE)');
      const hashes = await server.ctx.db.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', shop.user.id).execute();
      assert.equal(hashes.length, 10);
      assert.ok(hashes.every((h) => /^[0-9a-f]{64}$/.test(h.code_hash)));
    });

    it('signs in with a code computed like an authenticator app; the same code is refused the second time', async () => {
      const code = totpCode(secret, 1);
      const first = await startAuthorization(shop);
      const asked = await password(shop, first);
      assert.equal(asked.page, 'mfa');
      assert.match(asked.html!, /<h1>Confirm it’s you<\/h1>/);
      const callback = await finish(shop, first.jar, await submit(first.jar, asked, '/mfa/totp', { code }, shop.issuer, shop.redirectUri));
      assert.equal(callback.searchParams.get('state'), first.state);
      assert.ok(callback.searchParams.get('code'));

      const second = await startAuthorization(shop);
      const replay = await submit(second.jar, await password(shop, second), '/mfa/totp', { code }, shop.issuer, shop.redirectUri);
      assert.equal(replay.status, 401);
      assert.match(replay.html!, /role="alert"[^>]*>That code is not right, or was already used/);
      const audit = await server.ctx.db.selectFrom('audit_events').select(['details']).where('action', '=', 'user.mfa.verify').where('outcome', '=', 'failure').execute();
      assert.ok(audit.some((e) => JSON.parse(e.details).reason === 'code_reused'));
    });

    it('a recovery code works once and says how many remain; the second use is refused', async () => {
      const first = await startAuthorization(shop);
      const used = await submit(first.jar, await password(shop, first), '/mfa/recovery', { recovery_code: recoveryCodes[0]!.toUpperCase() }, shop.issuer, shop.redirectUri);
      assert.equal(used.status, 200);
      assert.match(used.html!, /You have 9 recovery codes left\./);
      const callback = await finish(shop, first.jar, await open(first.jar, linkContaining(used.html!, '/mfa?interaction='), shop.issuer, shop.redirectUri));
      assert.ok(callback.searchParams.get('code'));
      const idToken = jwtClaims((await tokensFor(shop, first, callback)).id_token as string);
      assert.equal(idToken.acr, 'urn:latchkey:acr:mfa');

      const second = await startAuthorization(shop);
      const again = await submit(second.jar, await password(shop, second), '/mfa/recovery', { recovery_code: recoveryCodes[0]! }, shop.issuer, shop.redirectUri);
      assert.equal(again.status, 401);
      assert.match(again.html!, /That recovery code is not right, or was already used/);
      const audit = await server.ctx.db.selectFrom('audit_events').select(['details']).where('action', '=', 'user.mfa.recovery_code_used').execute();
      assert.deepEqual(audit.map((e) => JSON.parse(e.details)), [{ remaining: 9 }]);
    });

    it('wrong codes count towards the brute-force limit: the 6th attempt waits (429, Retry-After, a wait message)', async () => {
      const bea = await createUser(server.ctx, shop.tenant, { email: 'bea@shop.example', password: TEST_PASSWORD });
      const beaSecret = await enrolTotp(server, shop, bea.id);
      const started = await startAuthorization(shop);
      let page = await password(shop, started, 'bea@shop.example');
      const good = totpCode(beaSecret);
      const wrong = String((Number(good) + 500_000) % 1_000_000).padStart(6, '0');
      for (let i = 0; i < 5; i++) {
        page = await submit(started.jar, page, '/mfa/totp', { code: wrong }, shop.issuer, shop.redirectUri);
        assert.equal(page.status, 401, `attempt ${i + 1}`);
      }
      const { action, fields } = formWithAction(page.html!, '/mfa/totp');
      const locked = await postFormWithJar(started.jar, action, { ...fields, code: totpCode(beaSecret, 1) });
      assert.equal(locked.status, 429, 'even the right code waits once the limit is reached');
      assert.ok(Number(locked.headers.get('retry-after')) > 0);
      assert.match(await locked.text(), /role="alert"[^>]*>Too many wrong codes\. Please wait \d+ minutes? and try again\./);
      const audit = await server.ctx.db.selectFrom('audit_events').select('action').where('target_id', '=', bea.id).execute();
      assert.ok(audit.some((e) => e.action === 'user.locked_out'));
    });

    it('required_for_admins: with policy optional, a tenant admin without a factor is taken through enrolment; the password grant refuses them', async () => {
      const office = await createSignInFixture(server, 'office', { settings: { mfa: { policy: 'optional' }, features: { auth: { password_grant_enabled: true } } }, client: { grantTypes: ['authorization_code', 'password'] } });
      const plain = await startAuthorization(office);
      assert.ok((await finish(office, plain.jar, await password(office, plain))).searchParams.get('code'), 'an ordinary user without factors signs in with a password');

      await server.ctx.db.updateTable('users').set({ admin_role: 'tenant_admin' }).where('id', '=', office.user.id).execute();
      const admin = await startAuthorization(office);
      const asked = await password(office, admin);
      assert.equal(asked.page, 'mfa');
      assert.match(asked.html!, /Set up a second factor/);
      const grant = await postForm(`${office.issuer}/oauth2/token`, { grant_type: 'password', username: office.login, password: TEST_PASSWORD, client_id: office.clientId, client_secret: office.clientSecret, scope: 'openid' });
      assert.equal(grant.status, 400);
      assert.match(String((await json(grant)).error_description), /second factor/);
    });

    it('step-up: a password session asked for acr_values=urn:latchkey:acr:mfa is asked only the second factor; auth_time stays the first sign-in', async () => {
      const lab = await createSignInFixture(server, 'lab', { settings: { mfa: { policy: 'off' } } });
      const labSecret = await enrolTotp(server, lab, lab.user.id);
      const first = await startAuthorization(lab);
      const firstTokens = await tokensFor(lab, first, await finish(lab, first.jar, await password(lab, first)));
      const firstId = jwtClaims(firstTokens.id_token as string);
      assert.deepEqual(firstId.amr, ['pwd']);
      assert.equal(firstId.acr, 'urn:latchkey:acr:password');

      const noneAsked = await startAuthorization(lab, { acr_values: 'urn:latchkey:acr:mfa', prompt: 'none' }, first.jar);
      assert.equal(noneAsked.landing.callback?.searchParams.get('error'), 'interaction_required');

      const stepUp = await startAuthorization(lab, { acr_values: 'urn:latchkey:acr:mfa' }, first.jar);
      assert.equal(stepUp.landing.page, 'mfa', 'no sign-in page: the session is kept');
      assert.doesNotMatch(stepUp.landing.html!, /type="password"/);
      // Let a second pass, so a (wrongly) renewed auth_time would differ from the first: not a race with the server.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const callback = await finish(lab, stepUp.jar, await submit(stepUp.jar, stepUp.landing, '/mfa/totp', { code: totpCode(labSecret, 1) }, lab.issuer, lab.redirectUri));
      const stepped = jwtClaims((await tokensFor(lab, stepUp, callback)).id_token as string);
      assert.equal(stepped.auth_time, firstId.auth_time);
      assert.deepEqual(stepped.amr, ['pwd', 'otp', 'mfa']);
      assert.equal(stepped.acr, 'urn:latchkey:acr:mfa');
      assert.equal(stepped.sid, firstId.sid);
      const session = await server.ctx.db.selectFrom('browser_sessions').selectAll().where('id', '=', String(firstId.sid)).executeTakeFirstOrThrow();
      assert.ok(session.factor_time !== null && Number(session.factor_time) > Number(session.auth_time), 'the factor time is recorded');

      // The claims parameter's essential acr is honoured the same way (already met now: straight to the code).
      const claims = JSON.stringify({ id_token: { acr: { essential: true, values: ['urn:latchkey:acr:mfa'] } } });
      const again = await startAuthorization(lab, { claims }, first.jar);
      assert.ok(again.landing.callback?.searchParams.get('code'));
      const discovery = await json(await fetch(`${lab.issuer}/.well-known/openid-configuration`));
      assert.deepEqual(discovery.acr_values_supported, ['urn:latchkey:acr:password', 'urn:latchkey:acr:mfa', 'phr']);
    });
  });
}
