/**
 * Self-service accounts in a real browser (Chromium via playwright-core), with a real SMTP server whose mails
 * the tests read and whose links the browser follows: sign-up → verification → sign-in; forgot password →
 * reset → the old refresh token refused and the other session signed out; invitation → password → sign-in;
 * and every section of the account page. axe-core checks each new page, and each page and mail is captured
 * for docs/accounts.md. One dialect: storage is covered on both by the HTTP-level tests of each flow.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { decodeJwt } from 'jose';
import { adminCaller } from '../support/admin.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { authorizationUrl, createPkce, exchangeCode } from '../support/sign-in.ts';
import { linkIn } from '../support/smtp.ts';
import type { ReceivedMail } from '../support/smtp.ts';
import { refresh, startMailedServer } from '../support/accounts.ts';
import type { MailedServer } from '../support/accounts.ts';
import { launchBrowser, screenshotMail, screenshotPage, seriousViolations } from '../support/account-browser.ts';
import { hashSecret } from '../../src/tokens/opaque.ts';

async function startLandingPage(): Promise<{ server: Server; base: string }> {
  const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('relying party'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

describe('self-service accounts in a real browser', () => {
  let env: MailedServer;
  let rp: Awaited<ReturnType<typeof startLandingPage>>;
  let acme: SignInFixture;
  let browser: Browser;
  const checkedPages: string[] = [];

  before(async () => {
    rp = await startLandingPage();
    env = await startMailedServer('sqlite');
    acme = await createSignInFixture(env.server, 'acme', { redirectUri: `${rp.base}/callback`, settings: { features: { auth: { registration_enabled: true } } } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await env?.stop();
    await new Promise((resolve) => rp.server.close(resolve));
  });

  /** axe-core finds nothing serious on the page, and the page is captured under `name`. */
  async function audit(page: Page, name: string, fullPage = false): Promise<void> {
    assert.deepEqual(await seriousViolations(page), [], `axe on ${name}`);
    await screenshotPage(page, name, fullPage);
    checkedPages.push(name);
  }

  const mailed = (to: string, subject: RegExp, after = 0): Promise<ReceivedMail> => env.smtp.waitFor((m) => m.to === to && subject.test(m.subject) && env.smtp.received.indexOf(m) >= after);

  /** Starts an authorization in `page`; returns how to finish it (the PKCE verifier for the code exchange). */
  async function startAuthorization(page: Page, extra: Record<string, string> = {}) {
    const pkce = createPkce();
    await page.goto(authorizationUrl({ issuer: acme.issuer, clientId: acme.clientId, redirectUri: acme.redirectUri, extra }, pkce, randomBytes(8).toString('hex'), randomBytes(8).toString('hex')));
    return pkce;
  }

  async function finishAtClient(page: Page, pkce: { verifier: string }): Promise<Record<string, unknown>> {
    if (/\/consent\?/.test(page.url())) await page.getByRole('button', { name: 'Authorize' }).click();
    await page.waitForURL((url) => url.href.startsWith(acme.redirectUri));
    const code = new URL(page.url()).searchParams.get('code');
    assert.ok(code, page.url());
    const response = await exchangeCode({ issuer: acme.issuer, clientId: acme.clientId, clientSecret: acme.clientSecret, redirectUri: acme.redirectUri, code, codeVerifier: pkce.verifier });
    assert.equal(response.status, 200);
    return (await response.json()) as Record<string, unknown>;
  }

  /** A full sign-in through the hosted pages in `page`; the token response. */
  async function signInThroughApp(page: Page, login: string, password: string): Promise<Record<string, unknown>> {
    const pkce = await startAuthorization(page);
    if (/\/login\?/.test(page.url())) {
      await page.getByLabel('Email or username').fill(login);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => !/\/login\?/.test(url.href) || url.href.startsWith(acme.redirectUri));
    }
    return finishAtClient(page, pkce);
  }

  async function sessionIdOf(context: BrowserContext): Promise<string> {
    const cookie = (await context.cookies(acme.issuer)).find((c) => c.name === 'lk_session');
    assert.ok(cookie, 'the browser has a session cookie');
    const row = await env.server.ctx.db.selectFrom('browser_sessions').select('id').where('token_hash', '=', hashSecret(cookie.value)).executeTakeFirstOrThrow();
    return row.id;
  }

  async function silentSignIn(page: Page): Promise<string | null> {
    await startAuthorization(page, { prompt: 'none', scope: 'openid' });
    await page.waitForURL((url) => url.href.startsWith(acme.redirectUri));
    return new URL(page.url()).searchParams.get('error');
  }

  it('sign-up → verification mail → sign-in, with email_verified true', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const pkce = await startAuthorization(page);
    await audit(page, 'sign-in-page');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL(/\/sign-up\?/);
    await audit(page, 'sign-up');
    await page.getByLabel('First name').fill('Grace');
    await page.getByLabel('Last name').fill('Hopper');
    await page.getByLabel('Email address').fill('grace@acme.example');
    await page.getByLabel('Password').fill('quartz meadow thunder pillow');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
    await audit(page, 'sign-up-check-mail');

    const mail = await mailed('grace@acme.example', /Finish creating/);
    await screenshotMail(browser, mail, 'registration');
    await page.goto(linkIn(mail, `${acme.issuer}/verify-email?token=`));
    await audit(page, 'verify-email');
    await page.getByRole('button', { name: 'Confirm and create my account' }).click();
    await page.getByRole('heading', { name: 'Your account is ready' }).waitFor();
    await audit(page, 'sign-up-done');
    await page.getByRole('link', { name: 'Continue to sign in' }).click();
    await page.waitForURL(/\/login\?/);
    await page.getByLabel('Email or username').fill('grace@acme.example');
    await page.getByLabel('Password').fill('quartz meadow thunder pillow');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/consent\?|\/callback/);
    const tokens = await finishAtClient(page, pkce);
    assert.equal(decodeJwt(tokens.id_token as string).email_verified, true);
    await context.close();
  });

  it('forgot password → reset: the old refresh token is refused and the other session is signed out', async () => {
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    const before = await signInThroughApp(otherPage, acme.login, acme.password);
    assert.equal(await silentSignIn(otherPage), null, 'the other browser has a live session');

    const context = await browser.newContext();
    const page = await context.newPage();
    await startAuthorization(page);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL(/\/forgot-password\?/);
    await audit(page, 'forgot-password');
    const mark = env.smtp.received.length;
    await page.getByLabel('Email address').fill(acme.login);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
    await audit(page, 'forgot-password-check-mail');
    const mail = await mailed(acme.login, /Reset your/, mark);
    await screenshotMail(browser, mail, 'password-reset');
    await page.goto(linkIn(mail, `${acme.issuer}/reset-password?token=`));
    await audit(page, 'reset-password');
    await page.getByLabel('New password').fill('password1');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('alert').filter({ hasText: 'too easy to guess' }).waitFor();
    await audit(page, 'reset-password-weak');
    await page.getByLabel('New password').fill('violet tangerine orbit lantern');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('heading', { name: 'Password changed' }).waitFor();
    await audit(page, 'reset-password-done');

    const refused = await refresh(acme.issuer, acme.clientId, acme.clientSecret, before.refresh_token as string);
    assert.equal(refused.body.error, 'invalid_grant', 'the old refresh token is refused');
    assert.equal(await silentSignIn(otherPage), 'login_required', 'the other browser was signed out');
    acme = { ...acme, password: 'violet tangerine orbit lantern' };

    await page.goto(linkIn(mail, `${acme.issuer}/reset-password?token=`));
    await page.getByRole('heading', { name: 'This link does not work' }).waitFor();
    await audit(page, 'link-problem');
    await page.goto(`${acme.issuer}/forgot-password`);
    await page.getByLabel('Email address').fill('nobody@acme.example');
    await page.getByRole('button', { name: 'Send the link' }).click();
    await screenshotMail(browser, await mailed('nobody@acme.example', /Password reset requested/), 'password-reset-unknown');
    await context.close();
    await other.close();
  });

  it('invitation → choose a password → sign-in', async () => {
    const admin = await adminCaller(env.server, acme.tenant, 'tenant_admin');
    const created = await admin.call('POST', '/tenants/acme/invitations', { email: 'linus@acme.example', first_name: 'Linus' });
    assert.equal(created.status, 201);
    const mail = await mailed('linus@acme.example', /invited/);
    await screenshotMail(browser, mail, 'invitation');
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(linkIn(mail, `${acme.issuer}/invitation?token=`));
    await audit(page, 'invitation');
    await page.getByLabel('Last name').fill('Torvalds');
    await page.getByLabel('Password').fill('harbor violin cactus meteor');
    await page.getByRole('button', { name: 'Accept and create my account' }).click();
    await page.getByRole('heading', { name: 'Welcome' }).waitFor();
    await audit(page, 'invitation-done');
    const tokens = await signInThroughApp(page, 'linus@acme.example', 'harbor violin cactus meteor');
    const claims = decodeJwt(tokens.id_token as string);
    assert.equal(claims.email, 'linus@acme.example');
    assert.equal(claims.email_verified, true);
    await context.close();
  });

  it('the account page: profile, email change, connected applications, sessions, sign out everywhere, password', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${acme.issuer}/account`);
    await audit(page, 'account-sign-in');
    await page.getByLabel('Email or username').fill(acme.login);
    await page.getByLabel('Password').fill(acme.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();

    // Profile.
    await page.getByLabel('First name').fill('Augusta Ada');
    await page.getByLabel('Username').fill('countess');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Your profile is saved.').waitFor();
    assert.equal(await page.getByLabel('Username').inputValue(), 'countess');
    const profile = await env.server.ctx.db.selectFrom('users').select(['first_name', 'username']).where('id', '=', acme.user.id).executeTakeFirstOrThrow();
    assert.deepEqual({ ...profile }, { first_name: 'Augusta Ada', username: 'countess' });

    // Email change: re-authentication first, then the new address confirms.
    await page.getByLabel('New email address').fill('ada@lovelace.example');
    await page.locator('#email_current_password').fill('not my password');
    await page.getByRole('button', { name: 'Change email address' }).click();
    await page.getByRole('alert').filter({ hasText: 'current password is not correct' }).waitFor();
    await audit(page, 'account-error');
    await page.getByLabel('New email address').fill('ada@lovelace.example');
    await page.locator('#email_current_password').fill(acme.password);
    await page.getByRole('button', { name: 'Change email address' }).click();
    await page.getByText('We sent a link to your new address').waitFor();
    assert.equal((await env.server.ctx.db.selectFrom('users').select('email').where('id', '=', acme.user.id).executeTakeFirstOrThrow()).email, acme.login, 'not changed before the link');
    const change = await mailed('ada@lovelace.example', /new email address/);
    await screenshotMail(browser, change, 'email-change');
    const confirm = await context.newPage();
    await confirm.goto(linkIn(change, `${acme.issuer}/verify-email?token=`));
    await confirm.getByRole('button', { name: 'Confirm my new address' }).click();
    await confirm.getByRole('heading', { name: 'Email address confirmed' }).waitFor();
    await audit(confirm, 'email-confirmed');
    await confirm.close();
    acme = { ...acme, login: 'ada@lovelace.example' };
    await page.reload();
    await page.getByText('ada@lovelace.example (confirmed)').waitFor();

    // Two more browsers sign in to the application.
    const phone = await browser.newContext({ userAgent: 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36' });
    const laptop = await browser.newContext({ userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15' });
    const phonePage = await phone.newPage();
    const laptopPage = await laptop.newPage();
    const phoneTokens = await signInThroughApp(phonePage, acme.login, acme.password);
    const laptopTokens = await signInThroughApp(laptopPage, acme.login, acme.password);

    // Connected applications: revoking one ends its refresh tokens.
    await page.reload();
    const app = page.locator('ul.applications li').filter({ hasText: 'acme web app' });
    await app.waitFor();
    await app.getByRole('button', { name: 'Revoke access of acme web app' }).click();
    await page.getByText('The application can no longer use your account.').waitFor();
    for (const tokens of [phoneTokens, laptopTokens]) {
      assert.equal((await refresh(acme.issuer, acme.clientId, acme.clientSecret, tokens.refresh_token as string)).body.error, 'invalid_grant', 'revoked with the application');
    }
    assert.equal(await page.locator('ul.applications li').count(), 0);

    // Sessions: sign one out, then every other.
    const phoneAgain = await signInThroughApp(phonePage, acme.login, acme.password);
    const laptopAgain = await signInThroughApp(laptopPage, acme.login, acme.password);
    await page.goto(`${acme.issuer}/account`);
    assert.equal(await page.locator('ul.sessions li').count(), 3);
    await page.getByText('Chrome on Android').waitFor();
    await page.getByText('Safari on macOS').waitFor();
    await audit(page, 'account', true);
    const phoneSession = await sessionIdOf(phone);
    await page.locator(`form:has(input[name="session"][value="${phoneSession}"]) button`).click();
    await page.getByText('That session is signed out.').waitFor();
    assert.equal(await silentSignIn(phonePage), 'login_required');
    assert.equal((await refresh(acme.issuer, acme.clientId, acme.clientSecret, phoneAgain.refresh_token as string)).body.error, 'invalid_grant');
    assert.equal(await silentSignIn(laptopPage), null, 'the laptop is still signed in');

    await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await page.getByText('Every other session is signed out.').waitFor();
    assert.equal(await silentSignIn(laptopPage), 'login_required');
    assert.equal((await refresh(acme.issuer, acme.clientId, acme.clientSecret, laptopAgain.refresh_token as string)).body.error, 'invalid_grant');
    assert.equal(await page.locator('ul.sessions li').count(), 1, 'only this browser is left');

    // Password: re-authentication, the policy, then every other device signed out and this one kept.
    const laptopLast = await signInThroughApp(laptopPage, acme.login, acme.password);
    await page.locator('#current_password').fill(acme.password);
    await page.getByLabel('New password').fill('ada');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').filter({ hasText: 'at least 8 characters' }).waitFor();
    await page.locator('#current_password').fill(acme.password);
    await page.getByLabel('New password').fill('copper lighthouse walrus sonnet');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password is changed.').waitFor();
    assert.equal(await silentSignIn(laptopPage), 'login_required');
    assert.equal((await refresh(acme.issuer, acme.clientId, acme.clientSecret, laptopLast.refresh_token as string)).body.error, 'invalid_grant');
    await page.reload();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    await audit(page, 'account-signed-out');
    await Promise.all([phone.close(), laptop.close(), context.close()]);
  });

  it('mails a verification link an admin asks for (captured for the docs)', async () => {
    const admin = await adminCaller(env.server, acme.tenant, 'tenant_admin');
    const user = (await env.server.ctx.db.selectFrom('users').select('id').where('email', '=', 'linus@acme.example').executeTakeFirstOrThrow()).id;
    assert.equal((await admin.call('POST', `/tenants/acme/users/${user}/verification-email`)).status, 202);
    await screenshotMail(browser, await mailed('linus@acme.example', /Confirm your email address/), 'email-verification');
    const existing = await browser.newContext();
    const page = await existing.newPage();
    await page.goto(`${acme.issuer}/sign-up`);
    await page.getByLabel('Email address').fill('linus@acme.example');
    await page.getByLabel('Password').fill('quartz meadow thunder pillow');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
    await screenshotMail(browser, await mailed('linus@acme.example', /already have/), 'registration-existing');
    await existing.close();
  });
});
