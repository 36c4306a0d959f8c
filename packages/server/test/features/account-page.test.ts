/**
 * The account page over real HTTP, on both dialects: its own sign-in, a form round trip, and the rule shared
 * with the MFA work (issue 15): once a user has a second factor, a session that used only the password is sent
 * to the account security page (which asks for the factor) and changes nothing on the account page.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { postFormWithJar, readForm } from '../support/sign-in.ts';
import { CookieJar, getPage, messageOf, startMailedServer, submitForm } from '../support/accounts.ts';
import type { MailedServer } from '../support/accounts.ts';

/** The fields of the page's form that posts to `path`. */
function formPostingTo(html: string, path: string): Record<string, string> {
  const form = new RegExp(`<form[^>]*action="[^"]*/account/${path}"[^>]*>([\\s\\S]*?)</form>`).exec(html);
  assert.ok(form, `no form posting to ${path}`);
  return readForm(`<form action="x">${form[1]}</form>`).fields;
}

for (const dialect of DIALECTS) {
  describe(`the account page (${dialect})`, () => {
    let env: MailedServer;
    let acme: SignInFixture;

    before(async () => {
      env = await startMailedServer(dialect);
      acme = await createSignInFixture(env.server, 'acme');
    });
    after(() => env?.stop());

    it('signs in with its own form, saves the profile, and sends a password-only session to the security page once the user has a second factor', async () => {
      const jar = new CookieJar();
      const wrong = await submitForm(jar, `${acme.issuer}/account`, { login: acme.login, password: 'not the password' });
      assert.equal(wrong.status, 401);
      assert.match(messageOf(wrong.body), /incorrect/);
      const signedIn = await submitForm(jar, `${acme.issuer}/account`, { login: acme.login, password: acme.password });
      assert.equal(signedIn.status, 303);
      const page = await getPage(jar, `${acme.issuer}/account`);
      assert.equal(page.status, 200);
      assert.match(page.body, /<h1>Your account<\/h1>/);
      assert.match(page.body, /href="[^"]*\/account\/security"/, 'links to the second factors');

      const saved = await postFormWithJar(jar, `${acme.issuer}/account/profile`, { ...formPostingTo(page.body, 'profile'), display_name: 'The Countess' });
      assert.equal(saved.status, 303);
      assert.match(saved.headers.get('location')!, /\/account\?done=profile$/);
      assert.equal((await env.server.ctx.db.selectFrom('users').select('display_name').where('id', '=', acme.user.id).executeTakeFirstOrThrow()).display_name, 'The Countess');

      const now = Date.now();
      await env.server.ctx.db
        .insertInto('user_factors')
        .values({ id: `fct_test${dialect}`, tenant_id: acme.tenant.id, user_id: acme.user.id, type: 'totp', name: 'Phone', secret_sealed: 'sealed', last_step: null, credential_id: null, public_key: null, sign_count: null, transports: null, device_type: null, backed_up: null, created_at: now, confirmed_at: now, last_used_at: null })
        .execute();
      const hashBefore = (await env.server.ctx.db.selectFrom('users').select('password_hash').where('id', '=', acme.user.id).executeTakeFirstOrThrow()).password_hash;
      const redirected = await getPage(jar, `${acme.issuer}/account`);
      assert.equal(redirected.status, 303);
      assert.equal(redirected.response.headers.get('location'), `${acme.issuer}/account/security`);
      const refused = await postFormWithJar(jar, `${acme.issuer}/account/password`, { ...formPostingTo(page.body, 'password'), current_password: acme.password, new_password: 'copper lighthouse walrus sonnet' });
      assert.equal(refused.status, 303);
      assert.equal(refused.headers.get('location'), `${acme.issuer}/account/security`);
      assert.equal((await env.server.ctx.db.selectFrom('users').select('password_hash').where('id', '=', acme.user.id).executeTakeFirstOrThrow()).password_hash, hashBefore, 'the password did not change');
      const security = await getPage(jar, `${acme.issuer}/account/security`);
      assert.equal(security.status, 200);
      assert.match(security.body, /code|factor/i, 'the security page asks for the second factor');
    });
  });
}
