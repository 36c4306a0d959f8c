/**
 * Self sign-up and email verification over real HTTP with a real SMTP server: sign-up → mailed link → account
 * → sign-in with email_verified in the ID token and userinfo; the same answer for taken addresses; allowed
 * domains and the password policy; a tenant that requires verified addresses stops sign-in until the link is
 * used. Both dialects.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { DIALECTS } from '../support/databases.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { signIn, signInForTokens, SignInStopped } from '../support/sign-in.ts';
import { linkIn } from '../support/smtp.ts';
import { CookieJar, getPage, messageOf, startMailedServer, submitForm } from '../support/accounts.ts';
import type { MailedServer } from '../support/accounts.ts';

const PASSWORD = 'quartz meadow thunder pillow';

for (const dialect of DIALECTS) {
  describe(`self sign-up and email verification (${dialect})`, () => {
    let env: MailedServer;
    let open: SignInFixture;
    let closed: SignInFixture;
    let strict: SignInFixture;

    before(async () => {
      env = await startMailedServer(dialect);
      open = await createSignInFixture(env.server, 'open', { settings: { features: { auth: { registration_enabled: true, registration_allowed_domains: ['open.example'] } } } });
      closed = await createSignInFixture(env.server, 'closed');
      strict = await createSignInFixture(env.server, 'strict', { settings: { features: { auth: { require_verified_email: true } } } });
    });
    after(() => env?.stop());

    const mailTo = (to: string, subject: RegExp) => env.smtp.waitFor((m) => m.to === to && subject.test(m.subject));

    it('is off by default: no sign-up page and no link on the sign-in page', async () => {
      const page = await getPage(new CookieJar(), `${closed.issuer}/sign-up`);
      assert.equal(page.status, 404);
      assert.match(page.body, /does not offer sign-up/);
      const login = await signIn({ ...closed, password: 'wrong password here' }).catch((error: SignInStopped) => error);
      assert.ok(login instanceof SignInStopped);
      assert.doesNotMatch(login.body, /Create an account/);
      assert.match(login.body, /Forgot your password\?/);
    });

    it('signs up through the mailed link, then signs in with email_verified true', async () => {
      const email = 'grace@open.example';
      const done = await submitForm(new CookieJar(), `${open.issuer}/sign-up`, { first_name: 'Grace', last_name: 'Hopper', email, password: PASSWORD });
      assert.equal(done.status, 200, done.body);
      assert.match(messageOf(done.body), /We sent a mail to grace@open\.example/);
      assert.equal(await env.server.ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst(), undefined, 'no account before the link is used');
      await assert.rejects(signIn({ ...open, login: email, password: PASSWORD }), SignInStopped);

      const mail = await mailTo(email, /Finish creating/);
      const link = linkIn(mail, `${open.issuer}/verify-email?token=`);
      const browser = new CookieJar();
      const confirm = await getPage(browser, link);
      assert.equal(confirm.status, 200);
      assert.match(confirm.body, /Confirm and create my account/);
      const created = await submitForm(browser, link, {});
      assert.equal(created.status, 200, created.body);
      assert.match(created.body, /Your account is ready/);

      const { tokens } = await signInForTokens({ ...open, login: email, password: PASSWORD });
      const idToken = decodeJwt(tokens.id_token as string);
      assert.equal(idToken.email, email);
      assert.equal(idToken.email_verified, true);
      assert.equal(idToken.given_name, 'Grace');
      const userinfo = (await (await fetch(`${open.issuer}/oauth2/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token as string}` } })).json()) as Record<string, unknown>;
      assert.equal(userinfo.email_verified, true);

      const again = await getPage(new CookieJar(), link);
      assert.equal(again.status, 400);
      assert.match(messageOf(again.body), /already been used/);
    });

    it('answers a sign-up with a taken address exactly like a new one, and mails the owner instead', async () => {
      const users = async () => (await env.server.ctx.db.selectFrom('users').select('id').where('tenant_id', '=', open.tenant.id).execute()).length;
      const before = await users();
      const taken = await submitForm(new CookieJar(), `${open.issuer}/sign-up`, { first_name: 'Eve', last_name: 'X', email: open.login.replace('open.example', 'open.example'), password: PASSWORD });
      const fresh = await submitForm(new CookieJar(), `${open.issuer}/sign-up`, { first_name: 'Eve', last_name: 'X', email: 'new-person@open.example', password: PASSWORD });
      assert.equal(taken.status, fresh.status);
      assert.equal(taken.body.replace(open.login, 'X'), fresh.body.replace('new-person@open.example', 'X'));
      const owner = await mailTo(open.login, /already have/);
      assert.match(owner.text, /forgot-password/);
      assert.equal(await users(), before, 'no account created or changed');
    });

    it("keeps no password hash of a sign-up once its link is used or has expired", async () => {
      const tokens = async (email: string) => env.server.ctx.db.selectFrom('account_tokens').select(['data', 'expires_at']).where('email', '=', email).execute();
      assert.ok((await tokens('grace@open.example')).every((t) => t.data === '{}'), 'used: nothing kept');
      await submitForm(new CookieJar(), `${open.issuer}/sign-up`, { email: 'pending@open.example', password: PASSWORD });
      assert.match((await tokens('pending@open.example'))[0]!.data, /password_hash/);
      await env.server.ctx.db.updateTable('account_tokens').set({ expires_at: Date.now() - 1 }).where('email', '=', 'pending@open.example').execute();
      await submitForm(new CookieJar(), `${open.issuer}/sign-up`, { email: 'another@open.example', password: PASSWORD });
      assert.deepEqual((await tokens('pending@open.example')).map((t) => t.data), ['{}'], 'expired: the hash is gone, the row still tells the link expired');
    });

    it('refuses other domains and weak passwords with the form and a reason (400)', async () => {
      const domain = await submitForm(new CookieJar(), `${open.issuer}/sign-up`, { email: 'mallory@elsewhere.example', password: PASSWORD });
      assert.equal(domain.status, 400);
      assert.match(messageOf(domain.body), /open to addresses at open\.example only/);
      const weak = await submitForm(new CookieJar(), `${open.issuer}/sign-up`, { first_name: 'Linus', email: 'linus@open.example', password: 'linus12345' });
      assert.equal(weak.status, 400);
      assert.match(messageOf(weak.body), /too easy to guess/);
      const short = await submitForm(new CookieJar(), `${open.issuer}/sign-up`, { email: 'linus@open.example', password: 'short' });
      assert.equal(short.status, 400);
      assert.match(messageOf(short.body), /at least 8 characters/);
      const long = await submitForm(new CookieJar(), `${open.issuer}/sign-up`, { email: 'linus@open.example', password: 'x'.repeat(129) });
      assert.equal(long.status, 400);
      assert.match(messageOf(long.body), /at most 128 characters/);
    });

    it('stops sign-in for an unverified address when the tenant requires it, until the mailed link is used', async () => {
      const stopped = await signIn({ ...strict }).catch((error: unknown) => error);
      assert.ok(stopped instanceof SignInStopped);
      assert.equal(stopped.status, 403);
      assert.match(messageOf(stopped.body), /Confirm your email address first/);
      const mail = await mailTo(strict.login, /Confirm your email address/);
      const link = linkIn(mail, `${strict.issuer}/verify-email?token=`);
      const confirmed = await submitForm(new CookieJar(), link, {});
      assert.equal(confirmed.status, 200);
      assert.match(confirmed.body, /Email address confirmed/);
      const { tokens } = await signInForTokens({ ...strict });
      assert.equal(decodeJwt(tokens.id_token as string).email_verified, true);
    });

    it('reports email_verified false for an address nobody confirmed', async () => {
      const { tokens } = await signInForTokens({ ...closed });
      assert.equal(decodeJwt(tokens.id_token as string).email_verified, false);
    });

    it('creates the account at once when the tenant does not require a verified address', async () => {
      const lax = await createSignInFixture(env.server, `lax`, { settings: { features: { auth: { registration_enabled: true, registration_requires_verified_email: false } } } });
      const done = await submitForm(new CookieJar(), `${lax.issuer}/sign-up`, { email: 'ken@lax.example', password: PASSWORD });
      assert.equal(done.status, 200);
      const { tokens } = await signInForTokens({ ...lax, login: 'ken@lax.example', password: PASSWORD });
      assert.equal(decodeJwt(tokens.id_token as string).email_verified, false);
      await mailTo('ken@lax.example', /Confirm your email address/);
    });
  });
}
