/**
 * Seed 001: the password grant is off by default and turned on per tenant (`features.auth.password_grant_enabled`).
 * Brute-force protection shared with the hosted sign-in page: per account and per IP, 429 with Retry-After on
 * the API, a "please wait" message on the page, and the same answer for unknown users and wrong passwords.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { json, postForm } from '../support/http.ts';
import { snapshotDatabase } from '../support/snapshot.ts';
import { createSignInFixture, TEST_PASSWORD } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { SignInStopped, signIn } from '../support/sign-in.ts';
import { createUser } from '../../src/directory/users.ts';

const PASSWORD_CLIENT = { grantTypes: ['authorization_code', 'refresh_token', 'password'] };

function passwordGrant(fixture: SignInFixture, username: string, password: string, extra: Record<string, string> = {}): Promise<Response> {
  return postForm(`${fixture.issuer}/oauth2/token`, { grant_type: 'password', username, password, client_id: fixture.clientId, client_secret: fixture.clientSecret, ...extra });
}

for (const dialect of DIALECTS) {
  describe(`password grant (${dialect})`, () => {
    let server: TestServer;
    let off: SignInFixture;
    let on: SignInFixture;

    before(async () => {
      server = await startTestServer(dialect);
      off = await createSignInFixture(server, 'off', { client: PASSWORD_CLIENT });
      on = await createSignInFixture(server, 'on', { client: PASSWORD_CLIENT, settings: { features: { auth: { password_grant_enabled: true } } } });
    });
    after(() => server.stop());

    it('is refused with unauthorized_client and a clear description while the tenant has it off (the default)', async () => {
      const before = await snapshotDatabase(server.ctx.db, dialect);
      const response = await passwordGrant(off, off.login, off.password);
      assert.equal(response.status, 400);
      const body = await json(response);
      assert.equal(body.error, 'unauthorized_client');
      assert.match(String(body.error_description), /password grant is disabled for this tenant.*features\.auth\.password_grant_enabled/);
      assert.deepEqual(await snapshotDatabase(server.ctx.db, dialect), before);
      const discovery = await json(await fetch(`${off.issuer}/.well-known/openid-configuration`));
      assert.ok(!(discovery.grant_types_supported as string[]).includes('password'));
    });

    it('issues access, refresh and ID tokens where the tenant turned it on (username or email, any case)', async () => {
      const response = await passwordGrant(on, 'ADA-ON', on.password, { scope: 'openid email' });
      assert.equal(response.status, 200);
      const tokens = await json(response);
      assert.equal(tokens.scope, 'openid email');
      assert.equal(typeof tokens.refresh_token, 'string');
      assert.equal(decodeJwt(tokens.id_token as string).sub, on.user.id);
      assert.equal(decodeJwt(tokens.access_token as string).email, on.login);
      const refreshed = await postForm(`${on.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string, client_id: on.clientId, client_secret: on.clientSecret });
      assert.equal(refreshed.status, 200);
      const discovery = await json(await fetch(`${on.issuer}/.well-known/openid-configuration`));
      assert.ok((discovery.grant_types_supported as string[]).includes('password'));
    });

    it('answers a wrong password and an unknown user alike', async () => {
      const wrong = await json(await passwordGrant(on, on.login, 'not the password'));
      const unknown = await json(await passwordGrant(on, 'nobody@on.example', 'not the password'));
      assert.deepEqual(wrong, { error: 'invalid_grant', error_description: 'the username or password is incorrect' });
      assert.deepEqual(unknown, wrong);
    });
  });

  describe(`brute-force protection (${dialect})`, () => {
    let server: TestServer;
    let shop: SignInFixture;

    before(async () => {
      server = await startTestServer(dialect, { LATCHKEY_SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '3', LATCHKEY_SIGN_IN_MAX_FAILURES_PER_IP: '7' });
      shop = await createSignInFixture(server, 'shop', { client: PASSWORD_CLIENT, settings: { features: { auth: { password_grant_enabled: true } } } });
      for (const name of ['bob', 'cy']) await createUser(server.ctx, shop.tenant, { email: `${name}@shop.example`, password: TEST_PASSWORD });
    });
    after(() => server.stop());

    it('locks an account after too many failures: 429 with Retry-After even for the right password, and a page that says to wait', async () => {
      for (let i = 0; i < 3; i++) assert.equal((await passwordGrant(shop, shop.login, 'wrong password')).status, 400);
      const locked = await passwordGrant(shop, shop.login, shop.password);
      assert.equal(locked.status, 429);
      assert.equal((await json(locked)).error, 'too_many_requests');
      const retryAfter = Number(locked.headers.get('retry-after'));
      assert.ok(retryAfter > 0 && retryAfter <= 900);

      const page = await signIn({ ...shop, scope: 'openid' }).then(
        () => assert.fail('the sign-in page let a locked account in'),
        (error: unknown) => error as SignInStopped,
      );
      assert.equal(page.status, 429);
      assert.match(page.body, /role="alert"[^>]*>Too many failed sign-in attempts\. Please wait \d+ minutes? and try again\./);
      const audit = await server.ctx.db.selectFrom('audit_events').select(['action', 'outcome']).where('tenant_id', '=', shop.tenant.id).execute();
      assert.ok(audit.some((e) => e.action === 'user.locked_out'));
      assert.ok(audit.some((e) => e.action === 'user.sign_in' && e.outcome === 'failure'));
    });

    it('locks an unknown account exactly like a real one, then limits the IP across accounts', async () => {
      // 3 failures so far from this IP (previous test). An unknown login locks after 3 of its own.
      for (let i = 0; i < 3; i++) assert.equal((await passwordGrant(shop, 'ghost@shop.example', 'x-wrong-x')).status, 400);
      assert.equal((await passwordGrant(shop, 'ghost@shop.example', 'x-wrong-x')).status, 429);
      // The 7th failure from this IP locks the IP: a different, correct account is refused too.
      assert.equal((await passwordGrant(shop, 'bob@shop.example', 'wrong password')).status, 400);
      const ip = await passwordGrant(shop, 'cy@shop.example', TEST_PASSWORD);
      assert.equal(ip.status, 429);
      assert.ok(Number(ip.headers.get('retry-after')) > 0);
    });
  });
}
