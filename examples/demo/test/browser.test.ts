/**
 * A single-page app on another origin signs in with the browser SDK (loaded from Latchkey's /sdk/latchkey.js)
 * through the hosted pages, calls the mail API with apiFetch, survives an access-token expiry through a silent
 * refresh, and logs out (the refresh token stops working).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { startDemo } from '../src/start-demo.ts';
import type { Demo } from '../src/start-demo.ts';
import { body, form } from './support/idp.ts';

// Long enough that the first API call right after sign-in never needs a refresh, even on a busy machine.
const LIFETIME_SECONDS = 10;

/** Polls `condition` every 250 ms until it holds; fails after `deadlineMs`. */
async function eventually(condition: () => Promise<boolean>, deadlineMs: number, what: string): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > until) assert.fail(`not within ${deadlineMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function signInOnHostedPages(page: Page, demo: Demo): Promise<void> {
  for (let step = 0; step < 6 && !page.url().startsWith(`${demo.urls.spa}/callback`); step++) {
    await page.waitForLoadState('domcontentloaded');
    if (page.url().startsWith(demo.urls.spa)) break;
    const password = page.locator('input[type=password]');
    if ((await password.count()) > 0) {
      const login = page.locator('input[name=login], input[name=email], input[name=username], input[name=identifier], input[type=email]').first();
      if ((await login.count()) > 0 && (await login.isEditable())) await login.fill(demo.seed.user.email);
      await password.first().fill(demo.seed.user.password);
      await Promise.all([page.waitForEvent('framenavigated'), password.first().press('Enter')]);
      continue;
    }
    const approve = page.locator('form button[type=submit], form input[type=submit]').filter({ hasText: /allow|approve|accept|consent|authori[sz]e|continue|yes/i });
    const button = (await approve.count()) > 0 ? approve.first() : page.locator('form button[type=submit], form input[type=submit]').first();
    await Promise.all([page.waitForEvent('framenavigated'), button.click()]);
  }
  await page.waitForURL(`${demo.urls.spa}/callback**`);
}

describe('browser SDK sign-in (SPA on another origin)', () => {
  let demo: Demo;
  let context: BrowserContext | undefined;
  let userDataDir: string;

  before(async () => {
    demo = await startDemo({ accessTokenLifetime: LIFETIME_SECONDS, spaRefreshBeforeSeconds: 0 });
    userDataDir = mkdtempSync(join(tmpdir(), 'latchkey-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await demo.stop();
  });

  it('loads the SDK cross-origin; login() sends PKCE S256, state and nonce; the callback checks state and iss', async () => {
    const page = await (context as BrowserContext).newPage();
    await page.goto(demo.urls.spa);
    await page.waitForSelector('body[data-ready="1"]');
    // Stop at the authorization request: this test is about what the SDK sends and checks, not the sign-in.
    await page.route(`${demo.seed.issuer}/oauth2/authorize**`, (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'stopped here' }));
    await Promise.all([page.waitForURL((url) => url.href.startsWith(`${demo.seed.issuer}/oauth2/authorize`), { waitUntil: 'load' }), page.click('#login')]);
    const params = new URL(page.url()).searchParams;
    assert.equal(params.get('response_type'), 'code');
    assert.equal(params.get('client_id'), demo.seed.spaClientId);
    assert.equal(params.get('redirect_uri'), `${demo.urls.spa}/callback`);
    assert.equal(params.get('code_challenge_method'), 'S256');
    assert.match(params.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.match(params.get('state') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.match(params.get('nonce') ?? '', /^[A-Za-z0-9_-]{43}$/);
    const state = params.get('state') ?? '';

    await page.goto(`${demo.urls.spa}/callback?code=abc&state=${state}&iss=${encodeURIComponent('http://evil.example/t/demo')}`);
    await page.waitForSelector('body[data-ready="1"]');
    assert.equal(await page.getAttribute('body', 'data-error'), 'issuer_mismatch');
    await page.goto(`${demo.urls.spa}/callback?code=abc&state=forged`);
    await page.waitForSelector('body[data-ready="1"]');
    assert.equal(await page.getAttribute('body', 'data-error'), 'state_mismatch');
    await page.close();
  });

  it('signs in, calls the API, refreshes silently after expiry, and logs out', async () => {
    const page = await (context as BrowserContext).newPage();
    const refreshTokens: string[] = [];
    let lastAccess: { token: string; seenAt: number } | undefined;
    let refreshRequests = 0;
    page.on('request', (request) => {
      if (request.url().endsWith('/oauth2/token') && (request.postData() ?? '').includes('grant_type=refresh_token')) refreshRequests += 1;
    });
    page.on('response', async (response) => {
      if (!response.url().endsWith('/oauth2/token') || response.status() !== 200) return;
      const tokens = (await response.json().catch(() => ({}))) as { refresh_token?: string; access_token?: string };
      if (tokens.refresh_token) refreshTokens.push(tokens.refresh_token);
      // Seen here after the page received it: the SDK's own expiry time (receipt + expires_in) is no later.
      if (tokens.access_token) lastAccess = { token: tokens.access_token, seenAt: Date.now() };
    });

    await page.goto(demo.urls.spa);
    await page.waitForSelector('body[data-ready="1"]');
    await Promise.all([page.waitForURL((url) => url.href.startsWith(demo.urls.latchkey)), page.click('#login')]);
    await signInOnHostedPages(page, demo);
    await page.waitForSelector('body[data-ready="1"]');
    assert.equal(await page.getAttribute('body', 'data-error'), null);
    assert.equal(await page.getAttribute('body', 'data-user'), demo.seed.user.id);
    assert.doesNotMatch(page.url(), /code=/, 'the code is removed from the address bar');

    const first = (await page.evaluate(() => (window as unknown as { callApi(path: string): Promise<{ status: number; body: unknown }> }).callApi('/v1/mailboxes'))) as { status: number };
    assert.equal(first.status, 200);
    assert.equal(refreshRequests, 0);

    // Wait for the expiry itself, not a fixed time: the SDK's clock (the machine's) has passed the token's expiry
    // as the SDK computed it. (The mail API would still accept it for its 30 s clock tolerance.)
    const expired = lastAccess;
    assert.ok(expired, 'the sign-in returned an access token');
    await eventually(async () => Date.now() > expired.seenAt + LIFETIME_SECONDS * 1000, (LIFETIME_SECONDS + 60) * 1000, 'the first access token has expired');
    const me = (await page.evaluate(() => (window as unknown as { callApi(path: string): Promise<{ status: number; body: unknown }> }).callApi('/v1/me'))) as { status: number; body: { sub: string; email: string } };
    assert.equal(me.status, 200);
    assert.equal(me.body.sub, demo.seed.user.id);
    assert.equal(refreshRequests, 1, 'one silent refresh after the access token expired');

    const lastRefreshToken = refreshTokens.at(-1);
    assert.ok(lastRefreshToken);
    await page.evaluate(() => (window as unknown as { latchkey: { logout(): Promise<void> } }).latchkey.logout());
    // RP-initiated logout: the IdP ends its session and sends the browser back to the SPA's registered URI.
    await page.waitForURL((url) => url.href.startsWith(demo.urls.spa) && url.pathname === '/', { timeout: 10_000 });
    await page.waitForSelector('body[data-ready="1"]');
    const signedOut = (await page.evaluate(() => (window as unknown as { callApi(path: string): Promise<unknown> }).callApi('/v1/me').then(() => 'called', (error: { code?: string }) => error.code))) as string;
    assert.equal(signedOut, 'login_required');
    // The IdP session is gone too: signing in again asks for the password.
    await Promise.all([page.waitForURL((url) => url.href.startsWith(demo.urls.latchkey)), page.click('#login')]);
    await page.waitForSelector('input[type=password]');
    const afterLogout = await form(`${demo.seed.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: lastRefreshToken, client_id: demo.seed.spaClientId });
    assert.equal(afterLogout.status, 400);
    assert.equal((await body(afterLogout)).error, 'invalid_grant');
  });
});
