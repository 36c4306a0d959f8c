/**
 * Password reset over real HTTP with a real SMTP server: the same answer for known and unknown addresses, a
 * single-use link that ends every session and refresh token, clear pages for bad links that change nothing
 * (audited), limits per address, and a mail server outage that only delays the mail. Both dialects.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { fetchWithJar, readForm, signIn, signInForTokens, SignInStopped } from '../support/sign-in.ts';
import { linkIn } from '../support/smtp.ts';
import { CookieJar, getPage, messageOf, refresh, startMailedServer, submitForm } from '../support/accounts.ts';
import type { MailedServer } from '../support/accounts.ts';
import { verifyPassword } from '../../src/directory/passwords.ts';

const NEW_PASSWORD = 'violet tangerine orbit lantern';

for (const dialect of DIALECTS) {
  describe(`password reset (${dialect})`, () => {
    let env: MailedServer;
    let acme: SignInFixture;
    let other: SignInFixture;

    before(async () => {
      env = await startMailedServer(dialect, { LATCHKEY_ACCOUNT_MAIL_MAX_PER_ADDRESS: '3' });
      acme = await createSignInFixture(env.server, 'acme');
      other = await createSignInFixture(env.server, 'other');
    });
    after(() => env?.stop());

    async function askForReset(issuer: string, email: string) {
      return submitForm(new CookieJar(), `${issuer}/forgot-password`, { email });
    }

    async function passwordHashOf(userId: string): Promise<string | null> {
      const row = await env.server.ctx.db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirstOrThrow();
      return row.password_hash;
    }

    it('answers the same for a known and an unknown address (status and body), and mails both', async () => {
      const known = await askForReset(acme.issuer, acme.login);
      const unknown = await askForReset(acme.issuer, 'nobody@acme.example');
      assert.equal(known.status, 200);
      assert.equal(unknown.status, known.status);
      assert.equal(unknown.body.replace('nobody@acme.example', 'X'), known.body.replace(acme.login, 'X'));
      assert.match(messageOf(known.body), /We sent a mail to/);
      const resetMail = await env.smtp.waitFor((m) => m.to === acme.login && m.subject === 'Reset your Tenant acme password');
      assert.match(linkIn(resetMail, `${acme.issuer}/reset-password?token=`), /token=[A-Za-z0-9_-]{43}$/);
      const unknownMail = await env.smtp.waitFor((m) => m.to === 'nobody@acme.example');
      assert.match(unknownMail.text, /there is no account with this address/);
      assert.doesNotMatch(unknownMail.text, /token=/);
    });

    it('resets through the mailed link: the old refresh token is refused and every session ends', async () => {
      const { tokens, result } = await signInForTokens({ ...acme });
      const before = env.smtp.received.length;
      await askForReset(acme.issuer, acme.login);
      const mail = await env.smtp.waitFor((m, i = env.smtp.received.indexOf(m)) => i >= before && m.to === acme.login);
      const link = linkIn(mail, `${acme.issuer}/reset-password?token=`);

      const browser = new CookieJar();
      const form = await getPage(browser, link);
      assert.equal(form.status, 200);
      assert.match(form.body, /Choose a new password/);
      const weak = await submitForm(browser, link, { password: 'lovelace1815' });
      assert.equal(weak.status, 400);
      assert.match(messageOf(weak.body), /your name or email address/);
      const done = await submitForm(browser, link, { password: NEW_PASSWORD });
      assert.equal(done.status, 200, done.body);
      assert.match(done.body, /Password changed/);

      const refused = await refresh(acme.issuer, acme.clientId, acme.clientSecret, tokens.refresh_token as string);
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error, 'invalid_grant');
      const silent = await signIn({ ...acme, scope: 'openid', jar: result.jar, extra: { prompt: 'none' } });
      assert.equal(silent.error, 'login_required', 'the browser session was ended');
      await assert.rejects(signIn({ ...acme }), (error: unknown) => error instanceof SignInStopped && error.status === 401, 'the old password no longer works');
      const fresh = await signIn({ ...acme, password: NEW_PASSWORD });
      assert.ok(fresh.code);

      const again = await getPage(new CookieJar(), link);
      assert.equal(again.status, 400, 'the link works once');
      assert.match(messageOf(again.body), /already been used/);
    });

    it('refuses tampered, other-tenant, expired and missing tokens with a clear page, changes nothing, audits each', async () => {
      const hashBefore = await passwordHashOf(other.user.id);
      const before = env.smtp.received.length;
      await askForReset(other.issuer, other.login);
      const mail = await env.smtp.waitFor((m, i = env.smtp.received.indexOf(m)) => i >= before && m.to === other.login);
      const link = linkIn(mail, `${other.issuer}/reset-password?token=`);
      const token = new URL(link).searchParams.get('token')!;
      const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;

      const cases: Array<[string, string, RegExp]> = [
        ['tampered', `${other.issuer}/reset-password?token=${tampered}`, /not valid here/],
        ['other tenant', `${acme.issuer}/reset-password?token=${token}`, /not valid here/],
        ['malformed', `${other.issuer}/reset-password?token=%3Cscript%3E`, /not valid here/],
        ['missing', `${other.issuer}/reset-password`, /incomplete/],
      ];
      for (const [name, url, message] of cases) {
        const page = await getPage(new CookieJar(), url);
        assert.equal(page.status, 400, name);
        assert.match(messageOf(page.body), message, name);
        const posted = await fetch(url.split('?')[0]!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: new URL(url).searchParams.get('token') ?? '', password: NEW_PASSWORD }).toString() });
        assert.equal(posted.status, 400, `${name} (POST)`);
      }
      // Expired: the row's time runs out (as if 30 minutes had passed).
      await env.server.ctx.db.updateTable('account_tokens').set({ expires_at: Date.now() - 1 }).where('user_id', '=', other.user.id).execute();
      const expired = await getPage(new CookieJar(), link);
      assert.equal(expired.status, 400);
      assert.match(messageOf(expired.body), /expired/);
      const expiredPost = await fetch(`${other.issuer}/reset-password`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, password: NEW_PASSWORD }).toString() });
      assert.equal(expiredPost.status, 400);

      assert.equal(await passwordHashOf(other.user.id), hashBefore, 'nothing changed');
      assert.ok(await verifyPassword(other.password, hashBefore!));
      const audited = await env.server.ctx.db.selectFrom('audit_events').select(['tenant_id', 'details']).where('action', '=', 'account.password_reset.link_refused').execute();
      const reasons = audited.map((e) => JSON.parse(e.details).reason as string);
      for (const reason of ['unknown', 'missing', 'expired']) assert.ok(reasons.includes(reason), `audited: ${reason}`);
      assert.ok(audited.some((e) => e.tenant_id === acme.tenant.id), 'the other-tenant attempt is audited on the tenant it hit');
    });

    it("speaks the request's language: the page and the mail it causes (Accept-Language: de)", async () => {
      const jar = new CookieJar();
      const form = await fetchWithJar(jar, `${acme.issuer}/forgot-password`, { headers: { 'accept-language': 'de-CH, en;q=0.5' } });
      const html = await form.text();
      assert.match(html, /<h1>Passwort zurücksetzen<\/h1>/);
      assert.equal(form.headers.get('content-language'), 'de');
      const fields = readForm(html).fields;
      const before = env.smtp.received.length;
      const sent = await fetchWithJar(jar, `${acme.issuer}/forgot-password`, { method: 'POST', headers: { 'accept-language': 'de', 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...fields, email: 'unbekannt@acme.example' }).toString() });
      assert.equal(sent.status, 200);
      assert.match(await sent.text(), /Sehen Sie in Ihr Postfach/);
      const mail = await env.smtp.waitFor((m, i = env.smtp.received.indexOf(m)) => i >= before && m.to === 'unbekannt@acme.example');
      assert.equal(mail.subject, 'Passwort-Zurücksetzung bei Tenant acme angefordert');
      assert.match(mail.html, /<html lang="de"/);
    });

    it('refuses a form without its CSRF token (403) and changes nothing', async () => {
      const response = await fetch(`${acme.issuer}/forgot-password`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=ada%40acme.example' });
      assert.equal(response.status, 403);
      assert.match(await response.text(), /<h1>Not allowed<\/h1>/);
    });

    it('limits requests per address, for unknown addresses exactly as for known ones', async () => {
      const statuses = async (email: string) => {
        const out: number[] = [];
        for (let i = 0; i < 4; i++) out.push((await askForReset(acme.issuer, email)).status);
        return out;
      };
      const known = await statuses('limited@acme.example'.replace('limited', 'ada'));
      const unknown = await statuses('limited-nobody@acme.example');
      // ada@acme.example already asked in earlier tests, so its window may be fuller: compare shapes, not positions.
      assert.ok(known.includes(429) && unknown.includes(429));
      assert.deepEqual(unknown, [200, 200, 200, 429]);
      const limited = await askForReset(acme.issuer, 'limited-nobody@acme.example');
      assert.match(messageOf(limited.body), /Too many requests/);
      assert.ok(limited.response.headers.get('retry-after'));
    });

    it('accepts a reset request while the SMTP server is down and mails it once the server is back', async () => {
      await env.smtp.stop();
      const before = env.smtp.received.length;
      const page = await askForReset(other.issuer, other.login);
      assert.equal(page.status, 200);
      assert.match(messageOf(page.body), /We sent a mail/);
      // The sender tried and failed: the mail waits in the outbox for a retry.
      const deadline = Date.now() + 20_000;
      for (;;) {
        const failed = await env.server.ctx.db.selectFrom('mail_outbox').select('id').where('recipient', '=', other.login).where('status', '=', 'pending').where('attempts', '>=', 1).executeTakeFirst();
        if (failed) break;
        assert.ok(Date.now() < deadline, 'the sender should have tried');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await env.smtp.start();
      const mail = await env.smtp.waitFor((m, i = env.smtp.received.indexOf(m)) => i >= before && m.to === other.login);
      assert.match(mail.text, /reset-password\?token=/);
      assert.equal(env.smtp.received.slice(before).filter((m) => m.to === other.login).length, 1);
    });
  });
}

describe('password reset: the per-IP limit', () => {
  it('stops one address from asking for mail for many addresses (429), whatever the addresses', async () => {
    const env = await startMailedServer('sqlite', { LATCHKEY_ACCOUNT_MAIL_MAX_PER_IP: '3' });
    try {
      const acme = await createSignInFixture(env.server, 'acme');
      const statuses: number[] = [];
      for (const email of [acme.login, 'a@acme.example', 'b@acme.example', 'c@acme.example']) statuses.push((await submitForm(new CookieJar(), `${acme.issuer}/forgot-password`, { email })).status);
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      assert.equal(env.smtp.received.filter((m) => m.to === 'c@acme.example').length, 0, 'no mail past the limit');
      assert.equal((await env.server.ctx.db.selectFrom('mail_outbox').select('id').where('recipient', '=', 'c@acme.example').execute()).length, 0);
    } finally {
      await env.stop();
    }
  });
});
