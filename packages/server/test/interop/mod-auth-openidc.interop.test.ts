/**
 * An independent relying party nobody here wrote: Apache httpd with Debian's mod_auth_openidc protects a page.
 * A real browser (Chromium driven by playwright-core) opens it, is sent to Latchkey's hosted sign-in, signs in,
 * consents, and comes back to see the protected page. mod_auth_openidc does discovery, PKCE (S256), state and
 * nonce, the code exchange with client_secret_basic, and validates the ID token against the tenant's JWKS.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import { apacheAvailable, startApache } from '../support/apache.ts';
import type { RunningApache } from '../support/apache.ts';
import { freePort, startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('interop: Apache mod_auth_openidc', () => {
  let server: TestServer;
  let apache: RunningApache;
  let acme: SignInFixture;
  let browser: BrowserContext;
  let profile: string;

  before(async () => {
    assert.ok(apacheAvailable(), 'apache2 and libapache2-mod-auth-openidc must be installed (npm test installs them first: scripts/system-packages.sh)');
    server = await startTestServer('sqlite');
    const port = await freePort();
    const redirectUri = `http://127.0.0.1:${port}/protected/redirect_uri`;
    acme = await createSignInFixture(server, 'acme', { redirectUri });
    apache = await startApache({
      port,
      discoveryUrl: `${acme.issuer}/.well-known/openid-configuration`,
      clientId: acme.clientId,
      clientSecret: acme.clientSecret,
      redirectUri,
    });
    profile = mkdtempSync(join(tmpdir(), 'latchkey-chromium-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  });
  after(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await apache?.stop();
    await server?.stop();
  });

  it('signs in at Latchkey through the protected page and shows it', async () => {
    const page = await browser.newPage();
    await page.goto(apache.protectedUrl);
    await page.waitForURL((url) => url.href.startsWith(`${acme.issuer}/`), { timeout: 15_000 });
    await page.getByLabel('Email or username').fill(acme.login);
    await page.getByLabel('Password').fill(acme.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/consent\?/);
    await page.getByRole('button', { name: 'Authorize' }).click();
    await page.waitForURL((url) => url.href.startsWith(apache.url), { timeout: 15_000 });
    const text = await page.locator('#secret').innerText().catch(async () => `not the protected page: ${await page.content()}\n${apache.errorLog().slice(-2000)}`);
    assert.equal(text, 'protected page behind Latchkey');
    // The session mod_auth_openidc made is used again without another trip to Latchkey.
    const again = await page.goto(apache.protectedUrl);
    assert.equal(again?.status(), 200);
    assert.equal(new URL(page.url()).origin, apache.url);
  });
});
