/**
 * Security checklist, part 3 of 3: the hosted pages (sign-in, consent, logout, error). One test per applicable
 * item of RFC 9700 (OAuth 2.0 Security BCP) and OpenID Connect Core 1.0 §16, named after the section it audits.
 * SQLite only: the feature tests cover both dialects; these tests audit protocol behaviour, not storage.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { createClient } from '../../src/directory/clients.ts';
import { CookieJar, authorizationUrl, createPkce, fetchWithJar, postFormWithJar, readForm, signIn, signInForTokens } from '../support/sign-in.ts';

interface Page {
  readonly name: string;
  readonly response: Response;
  readonly html: string;
}

/** Drives a browser up to the consent page (prompt=consent) and returns its form. */
async function reachConsent(fixture: SignInFixture, jar: CookieJar, rewrite: (url: string) => string = (url) => url): Promise<{ login: Page; consent: Page; form: ReturnType<typeof readForm> }> {
  const start = await fetchWithJar(jar, rewrite(authorizationUrl({ ...fixture, scope: 'openid' }, createPkce(), 'st', 'n')).replace(/$/, '&prompt=consent'));
  assert.equal(start.status, 303);
  const loginResponse = await fetchWithJar(jar, rewrite(new URL(start.headers.get('location')!, fixture.issuer).href));
  const loginHtml = await loginResponse.text();
  const loginForm = readForm(loginHtml);
  const signedIn = await postFormWithJar(jar, rewrite(new URL(loginForm.action, fixture.issuer).href), { ...loginForm.fields, login: fixture.login, password: fixture.password, action: 'sign_in' });
  assert.equal(signedIn.status, 303, 'signed in');
  const consentResponse = await fetchWithJar(jar, rewrite(new URL(signedIn.headers.get('location')!, fixture.issuer).href));
  const consentHtml = await consentResponse.text();
  assert.equal(consentResponse.status, 200);
  return { login: { name: 'sign-in', response: loginResponse, html: loginHtml }, consent: { name: 'consent', response: consentResponse, html: consentHtml }, form: readForm(consentHtml) };
}

/** Only the sign-in page of a fresh authorization. */
async function openSignInPage(fixture: SignInFixture, jar: CookieJar): Promise<{ login: Page }> {
  const start = await fetchWithJar(jar, authorizationUrl({ ...fixture, scope: 'openid' }, createPkce(), 'st', 'n'));
  const response = await fetchWithJar(jar, new URL(start.headers.get('location')!, fixture.issuer).href);
  return { login: { name: 'sign-in', response, html: await response.text() } };
}

function logoutUrl(fixture: SignInFixture, params: Record<string, string>): string {
  const url = new URL(`${fixture.issuer}/oauth2/logout`);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.href;
}

describe('security checklist: hosted pages', () => {
  let server: TestServer;
  let acme: SignInFixture;

  before(async () => {
    server = await startTestServer('sqlite');
    acme = await createSignInFixture(server, 'acme');
  });
  after(() => server.stop());

  /** One of each hosted page: sign-in, consent, logout confirmation, signed-out, error. */
  async function everyHostedPage(): Promise<Page[]> {
    const jar = new CookieJar();
    const { login, consent } = await reachConsent(acme, jar);
    const confirm = await fetchWithJar(jar, logoutUrl(acme, { client_id: acme.clientId }));
    const { tokens, result } = await signInForTokens({ ...acme, scope: 'openid' });
    // form_post: the page that carries the code to the client.
    const formPost = await fetchWithJar(result.jar, authorizationUrl({ ...acme, scope: 'openid', extra: { response_mode: 'form_post' } }, createPkce(), 'st', 'n'));
    assert.equal(formPost.status, 200);
    const signedOut = await fetchWithJar(result.jar, logoutUrl(acme, { id_token_hint: tokens.id_token as string }));
    const error = await fetch(`${acme.issuer}/oauth2/authorize?client_id=nobody&redirect_uri=https://evil.example/`);
    const pages: Page[] = [login, consent, { name: 'form_post response', response: formPost, html: await formPost.text() }, { name: 'logout confirmation', response: confirm, html: await confirm.text() }, { name: 'signed out', response: signedOut, html: await signedOut.text() }, { name: 'error', response: error, html: await error.text() }];
    // Refused posts render pages too: a wrong password (401) and a forged CSRF token (403).
    const retry = new CookieJar();
    const { login: again } = await openSignInPage(acme, retry);
    const form = readForm(again.html);
    const wrong = await postFormWithJar(retry, form.action, { ...form.fields, login: acme.login, password: 'not the password', action: 'sign_in' });
    const forged = await postFormWithJar(retry, form.action, { ...form.fields, csrf_token: 'forged', login: acme.login, password: acme.password, action: 'sign_in' });
    pages.push({ name: 'wrong password', response: wrong, html: await wrong.text() }, { name: 'CSRF refused', response: forged, html: await forged.text() });
    for (const page of pages) assert.match(page.response.headers.get('content-type') ?? '', /text\/html/, page.name);
    return pages;
  }

  it('RFC 9700 §4.16 clickjacking: every hosted page says X-Frame-Options DENY and CSP frame-ancestors \'none\'', async () => {
    for (const page of await everyHostedPage()) {
      assert.equal(page.response.headers.get('x-frame-options'), 'DENY', page.name);
      assert.match(page.response.headers.get('content-security-policy') ?? '', /(^|;)\s*frame-ancestors 'none'\s*(;|$)/, page.name);
    }
  });

  it('RFC 9700 §4.7 / OIDC Core §16 CSRF: every hosted form that posts back to Latchkey carries a CSRF token', async () => {
    let forms = 0;
    for (const page of await everyHostedPage()) {
      if (!/<form/.test(page.html)) continue;
      const { action, fields } = readForm(page.html);
      if (!action.startsWith(acme.issuer)) continue; // form_post posts to the client, not to us
      forms++;
      assert.ok((fields.csrf_token ?? '').length >= 32, `${page.name}: ${action}`);
    }
    assert.ok(forms >= 3, 'sign-in, consent and logout confirmation forms were checked');
  });

  it('RFC 9700 §4.2 Referer leakage: every hosted page says Referrer-Policy no-referrer', async () => {
    for (const page of await everyHostedPage()) assert.equal(page.response.headers.get('referrer-policy'), 'no-referrer', page.name);
  });

  it('RFC 9700 §4.7 / OIDC Core §16 CSRF on the sign-in form: a missing, forged or other browser\'s token is refused', async () => {
    const jar = new CookieJar();
    const start = await fetchWithJar(jar, authorizationUrl({ ...acme, scope: 'openid' }, createPkce(), 'st', 'n'));
    const { action, fields } = readForm(await (await fetchWithJar(jar, new URL(start.headers.get('location')!, acme.issuer).href)).text());
    const { csrf_token: _dropped, ...withoutToken } = fields;
    const sessions = async () => (await server.ctx.db.selectFrom('browser_sessions').select('id').execute()).length;
    const sessionsBefore = await sessions();
    for (const [browser, form] of [[jar, withoutToken], [jar, { ...fields, csrf_token: 'forged' }], [jar, { ...fields, csrf_token: `${fields.csrf_token!.slice(0, -2)}AA` }], [new CookieJar(), fields]] as const) {
      const refused = await postFormWithJar(browser, action, { ...form, login: acme.login, password: acme.password, action: 'sign_in' });
      assert.equal(refused.status, 403);
      assert.equal(refused.headers.get('location'), null);
      assert.equal(browser.get('lk_session'), undefined, 'the browser that posted got no session');
      assert.equal(await sessions(), sessionsBefore, 'no session was started on the server');
    }
  });

  it('RFC 9700 §4.7 / OIDC Core §16 CSRF on the consent form: a missing or forged token is refused and no code is issued', async () => {
    const jar = new CookieJar();
    const { form } = await reachConsent(acme, jar);
    const { csrf_token: _dropped, ...withoutToken } = form.fields;
    for (const [browser, fields] of [[jar, withoutToken], [jar, { ...form.fields, csrf_token: 'forged' }], [new CookieJar(), form.fields]] as const) {
      const refused = await postFormWithJar(browser, form.action, { ...fields, decision: 'allow' });
      assert.equal(refused.status, 403);
      assert.equal(refused.headers.get('location'), null);
    }
    const allowed = await postFormWithJar(jar, form.action, { ...form.fields, decision: 'allow' });
    assert.equal(allowed.status, 303, 'the genuine form still works');
    assert.ok(new URL(allowed.headers.get('location')!).searchParams.get('code'));
  });

  it('OIDC RP-Initiated Logout §2 / RFC 9700 §4.7 CSRF on the logout confirmation: a missing or forged token signs nobody out', async () => {
    const { result } = await signInForTokens({ ...acme, scope: 'openid' });
    const page = await fetchWithJar(result.jar, logoutUrl(acme, { client_id: acme.clientId }));
    const { action, fields } = readForm(await page.text());
    const { csrf_token: _dropped, ...withoutToken } = fields;
    for (const form of [withoutToken, { ...fields, csrf_token: 'forged' }]) {
      const refused = await postFormWithJar(result.jar, action, { ...form, decision: 'logout' });
      assert.equal(refused.status, 403);
    }
    const crossSite = await postFormWithJar(new CookieJar(), action, { ...fields, decision: 'logout' });
    assert.ok(crossSite.status === 403 || crossSite.status === 200, 'another browser has no session to end');
    assert.ok((await signIn({ ...acme, scope: 'openid', jar: result.jar, extra: { prompt: 'none' } })).code, 'still signed in');
  });

  it('RFC 9700 §4.11.2 open redirector on logout: an unregistered post_logout_redirect_uri never redirects', async () => {
    const { tokens, result } = await signInForTokens({ ...acme, scope: 'openid' });
    const unregistered = ['https://evil.example/', `${acme.postLogoutRedirectUri}/x`, `${acme.postLogoutRedirectUri}?x=1`, acme.postLogoutRedirectUri.toUpperCase(), acme.postLogoutRedirectUri.replace('5999', '6000')];
    for (const uri of unregistered) {
      const cases: Array<Record<string, string>> = [{ id_token_hint: tokens.id_token as string, post_logout_redirect_uri: uri }, { client_id: acme.clientId, post_logout_redirect_uri: uri }, { post_logout_redirect_uri: uri }, { client_id: 'nobody', post_logout_redirect_uri: uri }];
      for (const params of cases) {
        const response = await fetchWithJar(result.jar, logoutUrl(acme, params));
        assert.equal(response.headers.get('location'), null, JSON.stringify(params));
        assert.equal(response.status, 400, JSON.stringify(params));
        assert.match(response.headers.get('content-type') ?? '', /text\/html/);
        assert.ok(!(await response.text()).includes(`href="${uri}`), 'no link to it either');
      }
    }
  });

  it('OIDC RP-Initiated Logout §3 / RFC 9700 §4.11.2 a post_logout_redirect_uri registered for another client is refused for this id_token_hint', async () => {
    const otherClient = await createClient(server.ctx, acme.tenant, { name: 'b', redirectUris: ['http://127.0.0.1:7000/cb'], postLogoutRedirectUris: ['http://127.0.0.1:7000/bye'], grantTypes: ['authorization_code'] });
    const { tokens, result } = await signInForTokens({ ...acme, scope: 'openid' });
    const cases: Array<Record<string, string>> = [{ id_token_hint: tokens.id_token as string }, { id_token_hint: tokens.id_token as string, client_id: otherClient.client.clientId }];
    for (const params of cases) {
      const response = await fetchWithJar(result.jar, logoutUrl(acme, { ...params, post_logout_redirect_uri: 'http://127.0.0.1:7000/bye' }));
      assert.equal(response.status, 400);
      assert.equal(response.headers.get('location'), null);
    }
  });

  it('OIDC Core §16 / RFC 6749 §10.10 no user enumeration on the sign-in page: unknown user and wrong password answer alike', async () => {
    const answer = async (login: string) => {
      const stopped = await signIn({ ...acme, scope: 'openid', login, password: 'not the password' }).then(
        () => assert.fail('signed in with a wrong password'),
        (error: unknown) => error as { status: number; body: string },
      );
      // Per-request values (CSRF token, interaction id) and the echoed login differ by design; nothing else may.
      const body = stopped.body.replaceAll(login, 'LOGIN').replace(/value="[A-Za-z0-9_-]{20,}"/g, 'value="X"').replace(/\/interaction\/[A-Za-z0-9_-]+/g, '/interaction/X').replace(/interaction=[A-Za-z0-9_-]+/g, 'interaction=X').replace(/nonce-[A-Za-z0-9+/=_-]+/g, 'nonce-X');
      return { status: stopped.status, body };
    };
    const wrong = await answer(acme.login);
    const unknown = await answer('nobody@acme.example');
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, wrong.status);
    assert.equal(unknown.body, wrong.body);
  });
});

describe('security checklist: hosted pages behind an https base URL', () => {
  let server: TestServer;
  let acme: SignInFixture;

  before(async () => {
    server = await startTestServer('sqlite', { LATCHKEY_BASE_URL: 'https://id.acme.example' });
    acme = await createSignInFixture(server, 'acme');
  });
  after(() => server.stop());

  it('OIDC Core §16.17 / RFC 9700 §4.13 TLS-only cookies: every Set-Cookie of the hosted pages is Secure when the base URL is https', async () => {
    // The server listens on plain http (as behind a TLS-terminating proxy); requests go there, URLs say https.
    const rewrite = (url: string) => url.replace('https://id.acme.example', server.url);
    const setCookies: string[] = [];
    const record = (response: Response) => setCookies.push(...response.headers.getSetCookie());
    const jar = new CookieJar();
    const { login, consent, form } = await reachConsent(acme, jar, rewrite);
    record(login.response);
    record(consent.response);
    const allowed = await postFormWithJar(jar, rewrite(new URL(form.action, acme.issuer).href), { ...form.fields, decision: 'allow' });
    record(allowed);
    assert.equal(allowed.status, 303);
    const confirm = await fetchWithJar(jar, rewrite(logoutUrl(acme, { client_id: acme.clientId })));
    record(confirm);
    const logoutForm = readForm(await confirm.text());
    const loggedOut = await postFormWithJar(jar, rewrite(new URL(logoutForm.action, acme.issuer).href), { ...logoutForm.fields, decision: 'logout' });
    record(loggedOut);
    // The sign-in POST set the session cookie; replay it in a fresh browser to capture that header as well.
    const again = new CookieJar();
    const start = await fetchWithJar(again, rewrite(authorizationUrl({ ...acme, scope: 'openid' }, createPkce(), 'st', 'n')));
    record(start);
    const page = await fetchWithJar(again, rewrite(new URL(start.headers.get('location')!, acme.issuer).href));
    record(page);
    const loginForm = readForm(await page.text());
    const signedIn = await postFormWithJar(again, rewrite(new URL(loginForm.action, acme.issuer).href), { ...loginForm.fields, login: acme.login, password: acme.password, action: 'sign_in' });
    record(signedIn);
    const names = new Set(setCookies.map((cookie) => cookie.slice(0, cookie.indexOf('='))));
    assert.ok(names.has('lk_session') && names.has('lk_csrf'), `both cookies were seen: ${[...names].join(', ')}`);
    for (const cookie of setCookies) {
      assert.match(cookie, /;\s*Secure(;|$)/i, cookie.replace(/=[^;]*/, '=…'));
      assert.match(cookie, /;\s*HttpOnly(;|$)/i);
    }
  });
});
