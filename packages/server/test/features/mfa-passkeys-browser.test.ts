/**
 * Passkeys end to end in Chromium with a CDP virtual authenticator (resident keys, user verification): a passkey
 * is added from the account's security page, the user signs out, signs in again with only the passkey (no
 * password typed), and openid-client completes the code flow with an ID token whose `amr` has `hwk`/`swk` and
 * whose `acr` is `phr`. The same run walks the TOTP pages, saves a screenshot of every new page for
 * docs/mfa.md and runs axe-core on each. Base URL `http://localhost:<port>`: browsers refuse IP addresses as
 * WebAuthn RP IDs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import * as oidc from 'openid-client';
import { freePort, startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { totpCode } from '../support/mfa.ts';
import { seriousAxeViolations } from '../support/browser-pages.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOTS = fileURLToPath(new URL('../../../../docs/images/mfa/', import.meta.url));

async function startRelyingParty(): Promise<{ server: Server; base: string }> {
  const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('relying party'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

const accessibility: string[] = [];

/** A screenshot for docs/mfa.md, and axe-core's serious or critical findings on the page (there must be none). */
async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  for (const violation of await seriousAxeViolations(page)) accessibility.push(`${name}: ${violation.id} ${violation.help} ${violation.nodes.join(' ')}`);
}

/** Fails on any CSP violation or script error: the pages must work under their strict policy. */
function watchConsole(page: Page, problems: string[]): void {
  page.on('console', (message) => {
    // A failed load is reported below with its URL (the browser asks for /favicon.ico, which Latchkey has not).
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && new URL(response.url()).pathname !== '/favicon.ico') problems.push(`${response.status()} ${response.url()}`);
  });
  page.on('pageerror', (error) => problems.push(error.message));
}

describe('passkeys in a real browser with a virtual authenticator, and openid-client as the relying party', () => {
  let idp: TestServer;
  let rp: Awaited<ReturnType<typeof startRelyingParty>>;
  let acme: SignInFixture;
  let browser: BrowserContext;
  let profile: string;
  let config: oidc.Configuration;
  const problems: string[] = [];

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    rp = await startRelyingParty();
    const port = await freePort();
    idp = await startTestServer('sqlite', { PORT: String(port), LATCHKEY_BASE_URL: `http://localhost:${port}` });
    acme = await createSignInFixture(idp, 'acme', { redirectUri: `${rp.base}/callback`, client: { postLogoutRedirectUris: [`${rp.base}/signed-out`] } });
    profile = mkdtempSync(join(tmpdir(), 'latchkey-chromium-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true, viewport: { width: 720, height: 900 } });
    config = await oidc.discovery(new URL(acme.issuer), acme.clientId, acme.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
  });
  after(async () => {
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
    await idp.stop();
    await new Promise((resolve) => rp.server.close(resolve));
  });

  async function authorize(page: Page, extra: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: `${rp.base}/callback`, scope: 'openid email', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce, ...extra });
    await page.goto(url.href);
    return async () => {
      await page.waitForURL((u) => u.href.startsWith(`${rp.base}/callback`));
      return oidc.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    };
  }

  it('adds a passkey on the account page, signs out, signs in with only the passkey: amr hwk|swk and acr phr', async () => {
    const page = await browser.newPage();
    watchConsole(page, problems);
    const cdp = await browser.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });

    // A first sign-in with the password, to have a session on the account page.
    let done = await authorize(page);
    await page.getByLabel('Email or username').fill(acme.login);
    await shoot(page, 'sign-in-with-passkey-option');
    await page.getByLabel('Password').fill(acme.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Authorize' }).click();
    assert.deepEqual((await done()).claims()!.amr, ['pwd']);

    await page.goto(`${acme.issuer}/account/security`);
    assert.equal(await page.locator('h1').innerText(), 'Signing in');
    await page.getByLabel('Name of this passkey').fill('Test laptop');
    await shoot(page, 'account-security');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForSelector('ul.codes');
    assert.equal(await page.locator('ul.codes li').count(), 10, 'the first factor comes with recovery codes');
    await shoot(page, 'recovery-codes');
    await page.getByRole('link', { name: /continue/ }).click();
    assert.match(await page.locator('ul.factors').innerText(), /Test laptop \(Passkey\)/);

    // Sign out of the IdP.
    await page.goto(`${acme.issuer}/oauth2/logout`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForSelector('text=You are signed out');

    // Passkey only, no password typed, with the button: this page's browser claims no conditional mediation, as
    // browsers without passkey autofill do (the autofill path is the last step of this test).
    await page.addInitScript(() => {
      PublicKeyCredential.isConditionalMediationAvailable = async () => false;
    });
    done = await authorize(page);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    const tokens = await done();
    const claims = tokens.claims()!;
    assert.equal(claims.sub, acme.user.id);
    const amr = claims.amr as string[];
    assert.ok(amr.includes('hwk') || amr.includes('swk'), `amr ${amr.join(' ')}`);
    assert.ok(amr.includes('user') && amr.includes('mfa'));
    assert.ok(!amr.includes('pwd'));
    assert.equal(claims.acr, 'phr');
    const stored = await idp.ctx.db.selectFrom('user_factors').selectAll().where('user_id', '=', acme.user.id).executeTakeFirstOrThrow();
    assert.equal(stored.type, 'passkey');
    assert.ok(Number(stored.sign_count) >= 1, 'the signature counter is stored');

    // A password sign-in of a user with a passkey (policy optional): the second step asks for the passkey.
    // The simulated touch is off while the password is typed, so the login field's passkey offer stays open.
    await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: false });
    done = await authorize(page, { prompt: 'login' });
    await page.getByLabel('Email or username').fill(acme.login);
    await page.getByLabel('Password').fill(acme.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/mfa\?/);
    assert.equal(await page.locator('h1').innerText(), 'Confirm it’s you');
    await shoot(page, 'second-factor-passkey');
    await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: true });
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    const second = (await done()).claims()!;
    assert.deepEqual(second.amr, ['pwd', 'hwk', 'user', 'mfa']);
    assert.equal(second.acr, 'phr');

    // Conditional mediation: in a fresh tab whose authenticator holds the same passkey, the login page offers it
    // in the login field's autofill, which the authenticator accepts at once; the sign-in completes unclicked.
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    await browser.clearCookies();
    const tab = await browser.newPage();
    watchConsole(tab, problems);
    const tabCdp = await browser.newCDPSession(tab);
    await tabCdp.send('WebAuthn.enable');
    const { authenticatorId: tabAuthenticator } = await tabCdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    for (const credential of credentials) await tabCdp.send('WebAuthn.addCredential', { authenticatorId: tabAuthenticator, credential });
    done = await authorize(tab);
    const autofilled = (await done()).claims()!;
    assert.equal(autofilled.acr, 'phr');
    assert.ok(!(autofilled.amr as string[]).includes('pwd'));
    await tab.close();
    assert.deepEqual(problems, []);
  });

  it('walks the authenticator-app pages in the browser (no JavaScript needed) and takes their screenshots', async () => {
    const shop = await createSignInFixture(idp, 'shop', { redirectUri: `${rp.base}/callback`, settings: { mfa: { policy: 'required', allowed_factors: ['totp', 'passkey'] } } });
    const shopConfig = await oidc.discovery(new URL(shop.issuer), shop.clientId, shop.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
    const page = await browser.newPage();
    watchConsole(page, problems);
    await browser.clearCookies();
    const url = oidc.buildAuthorizationUrl(shopConfig, { redirect_uri: `${rp.base}/callback`, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256', state: 'shop-state' });
    await page.goto(url.href);
    await page.getByLabel('Email or username').fill(shop.login);
    await page.getByLabel('Password').fill(shop.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/mfa\?/);
    assert.equal(await page.locator('h1').innerText(), 'Set up a second factor');
    await shoot(page, 'enrol-choice');
    await page.getByRole('link', { name: 'Set up an authenticator app' }).click();
    assert.ok(await page.locator('.qr svg').isVisible(), 'the QR code is drawn');
    await shoot(page, 'enrol-authenticator-app');
    const secret = (await page.locator('code.secret').innerText()).replace(/ /g, '');
    await page.getByLabel('Then type the 6-digit code the app shows').fill(totpCode(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.waitForSelector('ul.codes');
    const codes = await page.locator('ul.codes li').allInnerTexts();
    await page.getByRole('link', { name: /continue/ }).click();
    await page.waitForURL(/\/consent\?/);
    await page.getByRole('button', { name: 'Authorize' }).click();
    await page.waitForURL((u) => u.href.startsWith(`${rp.base}/callback`));
    assert.equal(new URL(page.url()).searchParams.get('state'), 'shop-state');

    await browser.clearCookies();
    await page.goto(url.href.replace('shop-state', 'shop-2'));
    await page.getByLabel('Email or username').fill(shop.login);
    await page.getByLabel('Password').fill(shop.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/mfa\?/);
    await shoot(page, 'second-factor-code');
    await page.getByLabel('Or a recovery code').fill(codes[0]!);
    await page.getByRole('button', { name: 'Use recovery code' }).click();
    await page.waitForSelector('text=You have 9 recovery codes left.');
    await shoot(page, 'recovery-code-used');
    assert.deepEqual(problems, []);
    assert.deepEqual(accessibility, [], 'every new page passes axe-core (WCAG 2.2 AA) without serious findings');
  });
});
