/**
 * The whole interactive sign-in, end to end, with independent implementations on both sides: Chromium (driven
 * by playwright-core) fills in the hosted pages, and `openid-client` is the relying party (discovery, PKCE, state
 * and nonce checks, ID token validation, userinfo, refresh, logout). The redirect URI is a tiny node:http server.
 * One dialect: storage behaviour is covered for both by the other sign-in tests; this proves the protocol.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import * as oidc from 'openid-client';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The relying party's landing pages: they answer anything, and remember the last form posted to them. */
async function startRelyingParty(): Promise<{ server: Server; base: string; posted: () => URLSearchParams | undefined }> {
  let lastPost: URLSearchParams | undefined;
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.method === 'POST') lastPost = new URLSearchParams(body);
      response.writeHead(200, { 'content-type': 'text/plain' }).end('relying party');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, posted: () => lastPost };
}

describe('sign-in in a real browser with openid-client as the relying party', () => {
  let idp: TestServer;
  let rp: Awaited<ReturnType<typeof startRelyingParty>>;
  let acme: SignInFixture;
  let browser: BrowserContext;
  let profile: string;

  before(async () => {
    rp = await startRelyingParty();
    idp = await startTestServer('sqlite');
    acme = await createSignInFixture(idp, 'acme', { redirectUri: `${rp.base}/callback`, client: { postLogoutRedirectUris: [`${rp.base}/signed-out`] } });
    profile = mkdtempSync(join(tmpdir(), 'latchkey-chromium-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  });
  after(async () => {
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
    await idp.stop();
    await new Promise((resolve) => rp.server.close(resolve));
  });

  it('signs in, consents, exchanges the code, calls userinfo, refreshes, detects replay, logs out', async () => {
    const config = await oidc.discovery(new URL(acme.issuer), acme.clientId, acme.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const redirectUri = `${rp.base}/callback`;
    const authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile email offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      login_hint: acme.login,
    });

    const page = await browser.newPage();
    await page.goto(authorizationUrl.href);
    assert.equal(await page.title(), 'Sign in · Tenant acme');
    assert.equal(await page.getByLabel('Email or username').inputValue(), acme.login, 'login_hint prefills the form');
    // The stylesheet is allowed by its CSP hash (a blocked one would leave main at full width).
    assert.equal(await page.locator('main').evaluate((main) => getComputedStyle(main).maxWidth), '416px');
    await page.getByLabel('Password').fill(acme.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.waitForURL(/\/consent\?/);
    assert.match(await page.locator('h1').innerText(), /Authorize acme web app/);
    const scopes = await page.locator('ul.scopes li').allInnerTexts();
    assert.deepEqual(scopes, ['Know who you are (your account identifier)', 'See your name and username', 'See your email address', 'Keep access when you are not using it (stay signed in)']);
    await page.getByRole('button', { name: 'Authorize' }).click();

    await page.waitForURL((url) => url.href.startsWith(redirectUri));
    const callback = new URL(page.url());
    assert.ok(callback.searchParams.get('code'));
    assert.equal(callback.searchParams.get('state'), state);
    assert.equal(callback.searchParams.get('iss'), acme.issuer);

    const session = (await browser.cookies(acme.issuer)).find((c) => c.name === 'lk_session');
    assert.ok(session);
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
    assert.equal(session.path, '/t/acme');

    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    const claims = tokens.claims()!;
    assert.equal(claims.sub, acme.user.id);
    assert.equal(claims.email, acme.login);
    assert.equal(typeof claims.sid, 'string');
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(userinfo.email, acme.login);
    assert.equal(userinfo.name, 'Ada Lovelace');

    const first = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    const second = await oidc.refreshTokenGrant(config, first.refresh_token!);
    assert.notEqual(first.refresh_token, tokens.refresh_token);
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal(second.claims()!.sub, claims.sub);

    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token!), (error: { error?: string }) => error.error === 'invalid_grant');
    await assert.rejects(oidc.refreshTokenGrant(config, second.refresh_token!), (error: { error?: string }) => error.error === 'invalid_grant', 'the family is revoked');

    const logoutUrl = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${rp.base}/signed-out`, state: 'bye' });
    await page.goto(logoutUrl.href);
    await page.waitForURL((url) => url.href.startsWith(`${rp.base}/signed-out`));
    assert.equal(new URL(page.url()).searchParams.get('state'), 'bye');

    const silent = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: 'silent',
      prompt: 'none',
    });
    await page.goto(silent.href);
    await page.waitForURL((url) => url.href.startsWith(redirectUri));
    const answer = new URL(page.url());
    assert.equal(answer.searchParams.get('error'), 'login_required');
    assert.equal(answer.searchParams.get('state'), 'silent');
    assert.equal(answer.searchParams.get('iss'), acme.issuer);

    // form_post: the auto-submit script runs under the page's CSP and posts the answer to the client.
    const posted = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: 'posted',
      prompt: 'none',
      response_mode: 'form_post',
    });
    await page.goto(posted.href);
    await page.waitForURL((url) => url.href === redirectUri);
    const form = rp.posted();
    assert.equal(form?.get('error'), 'login_required');
    assert.equal(form?.get('state'), 'posted');
    assert.equal(form?.get('iss'), acme.issuer);
  });
});
