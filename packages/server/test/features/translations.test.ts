/**
 * The hosted pages speak the user's language (docs/translations.md): `ui_locales`, then Accept-Language, then
 * the tenant's `default_locale`; discovery lists the languages; errors are shown next to their fields. Through
 * real HTTP on both dialects (the default locale is a stored tenant setting). Browser rendering, screenshots
 * and accessibility: hosted-pages-browser.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { adminCaller } from '../support/admin.ts';
import { authorizationUrl, CookieJar, createPkce, fetchWithJar, postFormWithJar, readForm, signIn } from '../support/sign-in.ts';

/** Starts an authorization and returns the sign-in page's URL. */
async function loginPageUrl(fixture: SignInFixture, jar: CookieJar, extra: Record<string, string> = {}): Promise<string> {
  const response = await fetchWithJar(jar, authorizationUrl({ issuer: fixture.issuer, clientId: fixture.clientId, redirectUri: fixture.redirectUri, extra }, createPkce(), 'st', 'nc'));
  assert.equal(response.status, 303);
  return new URL(response.headers.get('location')!, fixture.issuer).href;
}

async function page(jar: CookieJar, url: string, acceptLanguage?: string): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await fetchWithJar(jar, url, acceptLanguage ? { headers: { 'accept-language': acceptLanguage } } : {});
  return { status: response.status, body: await response.text(), headers: response.headers };
}

const langOf = (body: string) => /<html lang="([^"]+)" dir="(ltr|rtl)"/.exec(body)?.slice(1, 3);
const h1Of = (body: string) => /<h1>([^<]*)<\/h1>/.exec(body)?.[1];

for (const dialect of DIALECTS) {
  describe(`hosted pages in the user's language (${dialect})`, () => {
    let server: TestServer;
    let german: SignInFixture;
    let plain: SignInFixture;

    before(async () => {
      server = await startTestServer(dialect);
      german = await createSignInFixture(server, 'berlin', { settings: { default_locale: 'de' } });
      plain = await createSignInFixture(server, 'plain');
    });
    after(async () => server?.stop());

    it('lists the four languages in discovery (ui_locales_supported)', async () => {
      const metadata = (await (await fetch(`${plain.issuer}/.well-known/openid-configuration`)).json()) as { ui_locales_supported: string[] };
      assert.deepEqual(metadata.ui_locales_supported, ['en', 'de', 'es', 'fr']);
    });

    it('a German tenant default renders German, and an English ui_locales request renders English', async () => {
      const jar = new CookieJar();
      const german1 = await page(jar, await loginPageUrl(german, jar));
      assert.deepEqual(langOf(german1.body), ['de', 'ltr']);
      assert.equal(h1Of(german1.body), 'Anmelden');
      assert.equal(german1.headers.get('content-language'), 'de');
      const english = await page(jar, await loginPageUrl(german, jar, { ui_locales: 'en' }), 'de-DE,de;q=0.9');
      assert.deepEqual(langOf(english.body), ['en', 'ltr']);
      assert.equal(h1Of(english.body), 'Sign in');
    });

    it('ui_locales wins over Accept-Language, which wins over the tenant default; unsupported entries are skipped', async () => {
      const jar = new CookieJar();
      const cases: Array<[Record<string, string>, string | undefined, string, string]> = [
        [{ ui_locales: 'ja fr-CA' }, 'de', 'fr', 'Se connecter'],
        [{}, 'ja, es;q=0.9, de;q=0.5', 'es', 'Iniciar sesión'],
        [{ ui_locales: 'ja' }, 'pt-BR', 'de', 'Anmelden'],
      ];
      for (const [extra, accept, lang, heading] of cases) {
        const shown = await page(jar, await loginPageUrl(german, jar, extra), accept);
        assert.deepEqual([langOf(shown.body)?.[0], h1Of(shown.body)], [lang, heading], JSON.stringify({ extra, accept }));
      }
    });

    it('error pages follow ui_locales and Accept-Language too', async () => {
      const url = `${plain.issuer}/oauth2/authorize?response_type=code&client_id=${plain.clientId}&redirect_uri=https://evil.example/cb`;
      const spanish = await page(new CookieJar(), url, 'es-ES');
      assert.equal(spanish.status, 400);
      assert.deepEqual(langOf(spanish.body), ['es', 'ltr']);
      assert.equal(h1Of(spanish.body), 'No se puede completar esta solicitud');
      const french = await page(new CookieJar(), `${url}&ui_locales=fr`, 'es-ES');
      assert.equal(h1Of(french.body), 'Cette demande ne peut pas aboutir');
      assert.match(french.body, /<p class="alert" role="alert" lang="en">the redirect_uri is not registered/);
    });

    it('a form with empty fields names each field next to it and in an error summary, in the page language', async () => {
      const jar = new CookieJar();
      const url = await loginPageUrl(german, jar);
      const { action, fields } = readForm((await page(jar, url)).body);
      const response = await postFormWithJar(jar, action, { ...fields, login: '', password: '', action: 'sign_in' });
      const body = await response.text();
      assert.equal(response.status, 400);
      assert.match(body, /<h2 id="error-summary-title">Es gibt ein Problem<\/h2>/);
      assert.match(body, /<a href="#login">Geben Sie Ihre E-Mail-Adresse oder Ihren Benutzernamen ein\.<\/a>/);
      assert.match(body, /<p class="field-error" id="password-error">Geben Sie Ihr Passwort ein\.<\/p>/);
      assert.match(body, /id="login"[^>]*aria-describedby="login-error" aria-invalid="true"/);
    });

    it('the German lockout message counts minutes with the German plural', async () => {
      const jar = new CookieJar();
      const { action, fields } = readForm((await page(jar, await loginPageUrl(german, jar))).body);
      const wrong = await postFormWithJar(jar, action, { ...fields, login: german.login, password: 'wrong password', action: 'sign_in' });
      assert.equal(wrong.status, 401);
      assert.match(await wrong.text(), /<p class="alert" role="alert" id="form-error">E-Mail-Adresse, Benutzername oder Passwort ist falsch\.<\/p>/);
    });

    it('remembers the last login of this browser, and login_hint wins over it', async () => {
      const result = await signIn({ issuer: plain.issuer, clientId: plain.clientId, redirectUri: plain.redirectUri, login: plain.login, password: plain.password });
      assert.ok(result.code);
      const jar = result.jar;
      jar.delete('lk_session');
      const again = await page(jar, await loginPageUrl(plain, jar));
      assert.match(again.body, new RegExp(`id="login" name="login" value="${plain.login.replace(/\./g, '\\.')}"`));
      const hinted = await page(jar, await loginPageUrl(plain, jar, { login_hint: 'someone@else.example' }));
      assert.match(hinted.body, /id="login" name="login" value="someone@else\.example"/);
    });

    it('refuses an unsupported default_locale with a 400 naming it, and changes nothing', async () => {
      const admin = await adminCaller(server, plain.tenant, 'super_admin');
      const refused = await admin.call('PATCH', '/tenants/plain', { settings: { default_locale: 'xx' } });
      assert.equal(refused.status, 400);
      assert.match(String(refused.body.error_description), /default_locale must be one of en, de, es, fr/);
      const read = await admin.call('GET', '/tenants/plain');
      assert.equal((read.body.settings as { default_locale: string }).default_locale, 'en');
      const changed = await admin.call('PATCH', '/tenants/plain', { settings: { default_locale: 'fr' } });
      assert.equal(changed.status, 200);
      const jar = new CookieJar();
      assert.equal(h1Of((await page(jar, await loginPageUrl(plain, jar))).body), 'Se connecter');
    });
  });
}
