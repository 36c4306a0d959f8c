/**
 * Brute-force protection shared by the hosted sign-in page and the password grant: failures limited per account
 * and per IP, 429 with Retry-After on the API, a "please wait" message on the page; unknown accounts lock like
 * real ones. And the per-IP limit on authorization requests. Each test gets its own server (fresh counters), so
 * any one runs alone.
 */
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { json, postForm } from '../support/http.ts';
import { createSignInFixture, TEST_PASSWORD } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { SignInStopped, signIn } from '../support/sign-in.ts';
import { createUser } from '../../src/directory/users.ts';

const PASSWORD_CLIENT = { grantTypes: ['authorization_code', 'refresh_token', 'password'] };

function passwordGrant(fixture: SignInFixture, username: string, password: string): Promise<Response> {
  return postForm(`${fixture.issuer}/oauth2/token`, { grant_type: 'password', username, password, client_id: fixture.clientId, client_secret: fixture.clientSecret });
}

for (const dialect of DIALECTS) {
  describe(`brute-force protection (${dialect})`, () => {
    let server: TestServer;
    let shop: SignInFixture;

    beforeEach(async () => {
      server = await startTestServer(dialect, { LATCHKEY_SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '3', LATCHKEY_SIGN_IN_MAX_FAILURES_PER_IP: '7' });
      shop = await createSignInFixture(server, 'shop', { client: PASSWORD_CLIENT, settings: { features: { auth: { password_grant_enabled: true } } } });
      for (const name of ['bob', 'cy']) await createUser(server.ctx, shop.tenant, { email: `${name}@shop.example`, password: TEST_PASSWORD });
    });
    afterEach(() => server.stop());

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
      // 3 failures from this IP on a real account first.
      for (let i = 0; i < 3; i++) assert.equal((await passwordGrant(shop, shop.login, 'wrong password')).status, 400);
      // An unknown login locks after 3 of its own.
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

for (const dialect of DIALECTS) {
  describe(`per-account lockout keyed on the account, not the login as typed (issue 13) (${dialect})`, () => {
    let server: TestServer;
    let shop: SignInFixture;
    before(async () => {
      server = await startTestServer(dialect, { LATCHKEY_SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '3', LATCHKEY_SIGN_IN_MAX_FAILURES_PER_IP: '0' });
      shop = await createSignInFixture(server, 'shop', { client: PASSWORD_CLIENT, settings: { features: { auth: { password_grant_enabled: true } } } });
      await createUser(server.ctx, shop.tenant, { email: 'dora@shop.example', username: 'dora', password: TEST_PASSWORD });
    });
    after(() => server.stop());

    it('counts failures by email, by username and in any case against one account', async () => {
      assert.equal((await passwordGrant(shop, 'dora@shop.example', 'wrong password')).status, 400);
      assert.equal((await passwordGrant(shop, 'dora', 'wrong password')).status, 400);
      assert.equal((await passwordGrant(shop, ' DORA ', 'wrong password')).status, 400);
      for (const login of ['dora@shop.example', 'dora', 'Dora@Shop.Example']) {
        assert.equal((await passwordGrant(shop, login, TEST_PASSWORD)).status, 429, `${login} is locked with the account`);
      }
    });

    it('still locks unknown logins one by one, exactly like accounts', async () => {
      for (let i = 0; i < 3; i++) assert.equal((await passwordGrant(shop, 'nobody@shop.example', 'wrong password')).status, 400);
      assert.equal((await passwordGrant(shop, 'nobody@shop.example', 'wrong password')).status, 429);
      // Another unknown login has a count of its own, as another account would.
      assert.equal((await passwordGrant(shop, 'nobody-else@shop.example', 'wrong password')).status, 400);
    });
  });
}

describe('a flood of request counters does not reset a lockout (issue 13, item 3)', () => {
  let server: TestServer;
  let shop: SignInFixture;
  before(async () => {
    // No Redis: the counters live in this process's memory, bounded at 100,000 request windows.
    server = await startTestServer('sqlite', { LATCHKEY_SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '3', LATCHKEY_SIGN_IN_MAX_FAILURES_PER_IP: '0', LATCHKEY_RATE_LIMIT_PER_IP: '0' });
    shop = await createSignInFixture(server, 'shop', { client: PASSWORD_CLIENT, settings: { features: { auth: { password_grant_enabled: true } } } });
  });
  after(() => server.stop());

  it('keeps the account locked after 150,000 windows of random client ids', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await passwordGrant(shop, shop.login, 'wrong password')).status, 400);
    assert.equal((await passwordGrant(shop, shop.login, shop.password)).status, 429);
    // What 150,000 token requests with random client ids leave behind (counted in process: the same limiter
    // and keys the token endpoint uses, without 150,000 HTTP round trips).
    for (let i = 0; i < 150_000; i++) {
      const clientId = `random-${i}`;
      await server.ctx.rateLimiter.consume(`token:client:${clientId}`, 1200, 60_000);
      await server.ctx.rateLimiter.consume(`token:auth-failed:client:${clientId}`, 1200, 60_000);
    }
    assert.equal((await passwordGrant(shop, shop.login, shop.password)).status, 429, 'the lockout survived the flood');
  });
});

describe('authorization requests are rate limited per IP', () => {
  let server: TestServer;
  let shop: SignInFixture;
  before(async () => {
    server = await startTestServer('sqlite', { LATCHKEY_RATE_LIMIT_PER_IP: '3' });
    shop = await createSignInFixture(server, 'shop');
  });
  after(() => server.stop());

  it('answers 429 with Retry-After on an HTML page once the limit is reached, and stores nothing more', async () => {
    const url = `${shop.issuer}/oauth2/authorize?response_type=code&client_id=${shop.clientId}&redirect_uri=${encodeURIComponent(shop.redirectUri)}&scope=openid`;
    for (let i = 0; i < 3; i++) assert.equal((await fetch(url, { redirect: 'manual' })).status, 303);
    const count = async () => (await server.ctx.db.selectFrom('interactions').select('id_hash').execute()).length;
    const stored = await count();
    const limited = await fetch(url, { redirect: 'manual' });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    assert.match(limited.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await limited.text(), /Please wait/);
    assert.equal(await count(), stored);
  });
});
