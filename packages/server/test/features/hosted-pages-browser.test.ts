/**
 * Every hosted page in a real browser (Chromium via playwright-core), in every language and appearance:
 * the language from `ui_locales` and from Accept-Language (with `<html lang>` set), axe-core finding no serious
 * or critical violation, the sign-in and consent forms used by keyboard alone, brands rendered (and two at
 * once), and screenshots written into docs/screenshots/ for docs/translations.md and docs/branding.md.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CATALOGS } from '../../src/i18n/catalogs.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { adminCaller } from '../support/admin.ts';
import { launchChromium, screenshot, seriousAxeViolations } from '../support/browser-pages.ts';

const LOCALES = ['en', 'de', 'fr', 'es'] as const;
const APPEARANCES = ['light', 'dark'] as const;
const VIEWPORT = { width: 560, height: 600 };
/** A logo served by the test itself: the browser asks for the https URL, Playwright answers (no network). */
const LOGO_ORIGIN = 'https://brand-assets.example';
const APP_LOGO_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="32" viewBox="0 0 96 32"><rect width="96" height="32" rx="16" fill="#bfdbfe"/><text x="48" y="22" font-family="sans-serif" font-size="15" text-anchor="middle" fill="#1e3a8a">web app</text></svg>';
const LOGO_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40"><rect width="120" height="40" rx="8" fill="#f97316"/><text x="60" y="27" font-family="sans-serif" font-size="18" text-anchor="middle" fill="#111827">ROCKET</text></svg>';

const message = (locale: string, key: string) => CATALOGS.get(locale)![key]!;

/** The relying party's redirect URI: answers anything, so a finished authorization lands somewhere real. */
async function startRelyingParty(): Promise<{ server: Server; base: string }> {
  const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('relying party'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

function authorizeUrl(fixture: SignInFixture, extra: Record<string, string> = {}): string {
  const url = new URL(`${fixture.issuer}/oauth2/authorize`);
  const params = { response_type: 'code', client_id: fixture.clientId, redirect_uri: fixture.redirectUri, scope: 'openid profile email offline_access', state: 'st', nonce: 'nc', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', ...extra };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.href;
}

async function expectPage(page: Page, locale: string, headingKey: string, values: Record<string, string> = {}): Promise<void> {
  assert.equal(await page.locator('html').getAttribute('lang'), locale, `${page.url()} lang`);
  assert.equal(await page.locator('html').getAttribute('dir'), 'ltr');
  let heading = message(locale, headingKey);
  for (const [name, value] of Object.entries(values)) heading = heading.replace(`{${name}}`, value);
  assert.equal(await page.locator('h1').innerText(), heading, `${page.url()} heading`);
}

async function expectAccessible(page: Page, label: string): Promise<void> {
  const violations = await seriousAxeViolations(page);
  assert.deepEqual(violations, [], `axe on ${label}: ${JSON.stringify(violations, null, 1)}`);
}

describe('hosted pages in a real browser: languages, appearances, accessibility, keyboard, brands', { timeout: 300_000 }, () => {
  let idp: TestServer;
  let rp: Awaited<ReturnType<typeof startRelyingParty>>;
  let acme: SignInFixture;
  let berlin: SignInFixture;
  let rocket: SignInFixture;
  let globex: SignInFixture;
  let browser: Browser;

  before(async () => {
    rp = await startRelyingParty();
    idp = await startTestServer('sqlite');
    const redirectUri = `${rp.base}/callback`;
    acme = await createSignInFixture(idp, 'acme', { redirectUri });
    berlin = await createSignInFixture(idp, 'berlin', { redirectUri, settings: { default_locale: 'de' } });
    rocket = await createSignInFixture(idp, 'rocket', {
      redirectUri,
      client: { logoUri: `${LOGO_ORIGIN}/app.svg`, policyUri: 'https://rocket.example/app-privacy', tosUri: 'https://rocket.example/app-terms' },
    });
    globex = await createSignInFixture(idp, 'globex', { redirectUri });
    const admin = await adminCaller(idp, acme.tenant, 'super_admin');
    const branded = await admin.call('PUT', '/tenants/rocket/branding', {
      display_name: 'Rocket Mail', logo_url: `${LOGO_ORIGIN}/rocket.svg`, logo_alt: 'Rocket Mail', primary_color: '#9a3412', accent_color: '#fdba74',
      appearance: 'dark', support_email: 'help@rocket.example', privacy_url: 'https://rocket.example/privacy', terms_url: 'https://rocket.example/terms', custom_css: '--lk-radius: 1rem;',
    });
    assert.equal(branded.status, 200, JSON.stringify(branded.body));
    assert.equal((await admin.call('PUT', '/tenants/globex/branding', { display_name: 'Globex Corporation', primary_color: '#166534', accent_color: '#166534', appearance: 'light', custom_css: '--lk-radius: 0px; --lk-font-family: Georgia, serif;' })).status, 200);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await idp?.stop();
    await new Promise((resolve) => rp?.server.close(resolve));
  });

  async function newContext(options: { appearance: 'light' | 'dark'; acceptLanguage: string }): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: options.appearance, locale: options.acceptLanguage });
    await context.route(`${LOGO_ORIGIN}/**`, (route) => route.fulfill({ status: 200, contentType: 'image/svg+xml', body: route.request().url().endsWith('/app.svg') ? APP_LOGO_SVG : LOGO_SVG }));
    return context;
  }

  for (const appearance of APPEARANCES) {
    for (const locale of LOCALES) {
      for (const source of ['ui_locales', 'accept-language'] as const) {
        it(`${appearance}: every page in ${locale} from ${source}${source === 'ui_locales' ? ' (axe, screenshots)' : ''}`, async () => {
          // With ui_locales the browser asks for another supported language, which must lose.
          const other = LOCALES[(LOCALES.indexOf(locale) + 1) % LOCALES.length]!;
          const ui: Record<string, string> = source === 'ui_locales' ? { ui_locales: `x-unknown ${locale}` } : {};
          const context = await newContext({ appearance, acceptLanguage: source === 'ui_locales' ? other : locale });
          const page = await context.newPage();
          const audit = source === 'ui_locales';
          const shoot = async (name: string) => {
            if (audit && (locale === 'en' || name === 'sign-in')) await screenshot(page, `${name}-${locale}-${appearance}`);
          };
          try {
            const error = await page.goto(authorizeUrl(acme, { ...ui, redirect_uri: 'https://not-registered.example/cb' }));
            assert.equal(error?.status(), 400);
            await expectPage(page, locale, 'page.error.title_bad_request');
            if (audit) await expectAccessible(page, `error ${locale} ${appearance}`);
            await shoot('error');

            await page.goto(authorizeUrl(acme, ui));
            await page.waitForURL(/\/login\?/);
            await expectPage(page, locale, 'page.login.title');
            assert.equal(await page.title(), `${message(locale, 'page.login.title')} · Tenant acme`);
            if (audit) await expectAccessible(page, `sign-in ${locale} ${appearance}`);
            await shoot('sign-in');

            await page.getByRole('button', { name: message(locale, 'page.login.submit') }).click();
            await page.waitForSelector('#error-summary');
            await expectPage(page, locale, 'page.login.title');
            if (audit) await expectAccessible(page, `sign-in errors ${locale} ${appearance}`);
            await shoot('sign-in-errors');

            await page.getByLabel(message(locale, 'page.login.field_login')).fill(acme.login);
            await page.getByLabel(message(locale, 'page.login.field_password')).fill(acme.password);
            await page.getByRole('button', { name: message(locale, 'page.login.submit') }).click();
            await page.waitForURL(/\/consent\?/);
            await expectPage(page, locale, 'page.consent.heading', { client: 'acme web app' });
            if (audit) await expectAccessible(page, `consent ${locale} ${appearance}`);
            await shoot('consent');

            const logoutQuery = new URLSearchParams({ client_id: acme.clientId, ...ui });
            await page.goto(`${acme.issuer}/oauth2/logout?${logoutQuery}`);
            await expectPage(page, locale, 'page.logout.heading');
            if (audit) await expectAccessible(page, `logout ${locale} ${appearance}`);
            await shoot('sign-out');

            await page.getByRole('button', { name: message(locale, 'page.logout.confirm'), exact: true }).click();
            await page.waitForURL(/\/logout\/confirm$/);
            // The confirmation form carries no ui_locales: the signed-out page follows the browser's language.
            await expectPage(page, source === 'ui_locales' ? other : locale, 'page.signed_out.heading');
            await page.goto(`${acme.issuer}/oauth2/logout?${new URLSearchParams(ui)}`);
            await expectPage(page, locale, 'page.signed_out.heading');
            if (audit) await expectAccessible(page, `signed out ${locale} ${appearance}`);
            await shoot('signed-out');
          } finally {
            await context.close();
          }
        });
      }
    }
  }

  it('the form_post page speaks the language from ui_locales and from Accept-Language, and passes axe', async () => {
    for (const locale of LOCALES) {
      for (const source of ['ui_locales', 'accept-language'] as const) {
        const context = await newContext({ appearance: 'light', acceptLanguage: source === 'ui_locales' ? 'ja' : locale });
        // The page posts itself to the client at once; a 204 there leaves it on screen to be examined.
        let posted = false;
        await context.route(`${rp.base}/**`, (route) => {
          posted = true;
          return route.fulfill({ status: 204 });
        });
        const page = await context.newPage();
        const extra: Record<string, string> = { prompt: 'none', response_mode: 'form_post', ...(source === 'ui_locales' ? { ui_locales: locale } : {}) };
        await page.goto(authorizeUrl(acme, extra), { waitUntil: 'commit' });
        await page.waitForSelector('h1');
        for (const deadline = Date.now() + 10_000; !posted && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
        await expectPage(page, locale, 'page.form_post.title');
        assert.equal(await page.getByRole('button').innerText(), message(locale, 'page.form_post.submit'));
        if (source === 'ui_locales') await expectAccessible(page, `form_post ${locale}`);
        assert.ok(posted, 'the auto-submit script ran under the CSP');
        await context.close();
      }
    }
  });

  it('a German tenant default renders German, and an English ui_locales request renders English', async () => {
    const context = await newContext({ appearance: 'light', acceptLanguage: 'ja' });
    const page = await context.newPage();
    await page.goto(authorizeUrl(berlin));
    await expectPage(page, 'de', 'page.login.title');
    await page.goto(authorizeUrl(berlin, { ui_locales: 'en' }));
    await expectPage(page, 'en', 'page.login.title');
    await context.close();
  });

  it('the sign-in and consent forms work by keyboard alone', async () => {
    const context = await newContext({ appearance: 'light', acceptLanguage: 'en' });
    const page = await context.newPage();
    const focused = () => page.evaluate(() => {
      const element = document.activeElement as HTMLInputElement | null;
      return element ? `${element.tagName.toLowerCase()}#${element.id || element.name}:${element.value ?? ''}` : '';
    });
    await page.goto(authorizeUrl(acme));
    assert.equal(await focused(), 'input#login:', 'the empty login field has focus first');
    await page.keyboard.type(acme.login);
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'input#password:');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'button#action:sign_in');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'button#action:cancel');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.type(acme.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/consent\?/);
    assert.equal(await focused(), 'button#decision:allow', 'Authorize has focus');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'button#decision:deny');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.href.startsWith(acme.redirectUri));
    assert.ok(new URL(page.url()).searchParams.get('code'), 'the keyboard-only user reached the application with a code');
    await context.close();
  });

  it('a branded tenant renders its logo (allowed by CSP), colours and dark appearance', async () => {
    const context = await newContext({ appearance: 'light', acceptLanguage: 'en' });
    const page = await context.newPage();
    await page.goto(authorizeUrl(rocket));
    await page.waitForURL(/\/login\?/);
    assert.equal(await page.locator('html').getAttribute('data-appearance'), 'dark', 'the brand is dark even on a light system');
    const logo = page.getByRole('img', { name: 'Rocket Mail' });
    await logo.waitFor();
    assert.ok(await logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), 'the logo loaded under the CSP');
    assert.equal(await page.getByRole('button', { name: 'Sign in' }).evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(154, 52, 18)');
    assert.equal(await page.locator('main').evaluate((m) => getComputedStyle(m).borderTopLeftRadius), '16px');
    assert.equal(await page.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(17, 24, 39)');
    assert.equal(await page.title(), 'Sign in · Rocket Mail');
    assert.ok(await page.locator('img.client-logo').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), 'the client logo (logo_uri) loaded under the CSP');
    assert.equal(await page.getByRole('link', { name: 'Terms of service of rocket web app' }).getAttribute('href'), 'https://rocket.example/app-terms');
    await expectAccessible(page, 'branded sign-in');
    await screenshot(page, 'brand-rocket-sign-in');
    await context.close();
  });

  it('two tenants on one server show their own brands at the same time', async () => {
    const context = await newContext({ appearance: 'dark', acceptLanguage: 'en' });
    const [first, second] = [await context.newPage(), await context.newPage()];
    await Promise.all([first.goto(authorizeUrl(rocket)), second.goto(authorizeUrl(globex))]);
    const buttonColour = (page: Page) => page.getByRole('button', { name: 'Sign in' }).evaluate((b) => getComputedStyle(b).backgroundColor);
    assert.deepEqual(await Promise.all([buttonColour(first), buttonColour(second)]), ['rgb(154, 52, 18)', 'rgb(22, 101, 52)']);
    assert.equal(await second.locator('html').getAttribute('data-appearance'), 'light', 'globex stays light on a dark system');
    assert.equal(await second.locator('body').evaluate((b) => getComputedStyle(b).fontFamily), 'Georgia, serif');
    assert.equal(await second.locator('.tenant').innerText(), 'Globex Corporation');
    await expectAccessible(second, 'globex sign-in');
    await screenshot(second, 'brand-globex-sign-in');
    await context.close();
  });
});
