/**
 * Brands as data (docs/branding.md) through the admin API and the hosted pages: a brand reaches the page only
 * as CSS custom properties, a logo allowed by a CSP naming exactly its origin, and escaped text; a bad value is
 * a 400 naming the field and changes nothing; a partner's brand is the default its tenants inherit.
 * Screenshots and the browser's view: hosted-pages-browser.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { adminCaller } from '../support/admin.ts';
import type { AdminCaller } from '../support/admin.ts';
import { authorizationUrl, CookieJar, createPkce, fetchWithJar } from '../support/sign-in.ts';

const BRAND = {
  display_name: 'Acme Rockets',
  logo_url: 'https://cdn.acme.example/logo.svg',
  logo_alt: 'Acme Rockets logo',
  primary_color: '#7c2d12',
  accent_color: '#9a3412',
  appearance: 'light',
  support_email: 'help@acme.example',
  terms_url: 'https://acme.example/terms',
  privacy_url: 'https://acme.example/privacy',
  custom_css: '--lk-radius: 2px; --lk-font-family: Georgia, serif;',
};

async function loginPage(fixture: SignInFixture): Promise<{ body: string; csp: string }> {
  const jar = new CookieJar();
  const start = await fetchWithJar(jar, authorizationUrl({ issuer: fixture.issuer, clientId: fixture.clientId, redirectUri: fixture.redirectUri }, createPkce(), 's', 'n'));
  const page = await fetchWithJar(jar, new URL(start.headers.get('location')!, fixture.issuer).href);
  assert.equal(page.status, 200);
  return { body: await page.text(), csp: page.headers.get('content-security-policy') ?? '' };
}

for (const dialect of DIALECTS) {
  describe(`branding as data (${dialect})`, () => {
    let server: TestServer;
    let acme: SignInFixture;
    let globex: SignInFixture;
    let plain: SignInFixture;
    let root: AdminCaller;

    before(async () => {
      server = await startTestServer(dialect);
      acme = await createSignInFixture(server, 'acme');
      globex = await createSignInFixture(server, 'globex');
      plain = await createSignInFixture(server, 'plain');
      root = await adminCaller(server, plain.tenant, 'super_admin');
    });
    after(async () => server?.stop());

    it('stores a brand and the pages wear it: CSS variables, logo under a CSP naming exactly its origin, footer links', async () => {
      const saved = await root.call('PUT', '/tenants/acme/branding', BRAND);
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      assert.deepEqual(saved.body.brand, { ...BRAND, logo_url: 'https://cdn.acme.example/logo.svg', custom_css: '--lk-radius: 2px; --lk-font-family: Georgia, serif;' });
      const { body, csp } = await loginPage(acme);
      assert.match(body, /<html lang="en" dir="ltr" data-appearance="light">/);
      assert.match(body, /<style>:root\{--lk-primary:#7c2d12;--lk-accent:#9a3412;--lk-link:#9a3412;--lk-radius: 2px; --lk-font-family: Georgia, serif;\}/);
      assert.match(body, /<img src="https:\/\/cdn\.acme\.example\/logo\.svg" alt="Acme Rockets logo">/);
      assert.match(body, /<title>Sign in · Acme Rockets<\/title>/);
      assert.match(body, /<a href="mailto:help@acme\.example">Help: help@acme\.example<\/a><a href="https:\/\/acme\.example\/privacy">Privacy<\/a><a href="https:\/\/acme\.example\/terms">Terms<\/a>/);
      assert.match(csp, /img-src 'self' https:\/\/cdn\.acme\.example;/);
      assert.equal((csp.match(/'sha256-/g) ?? []).length, 2, 'the base stylesheet and the brand stylesheet, each by hash');
    });

    it('two tenants show their own brands at the same time; an unbranded tenant keeps the default look and CSP', async () => {
      assert.equal((await root.call('PUT', '/tenants/globex/branding', { display_name: 'Globex', primary_color: '#065f46', appearance: 'dark' })).status, 200);
      const [a, g, p] = await Promise.all([loginPage(acme), loginPage(globex), loginPage(plain)]);
      assert.match(a.body, /--lk-primary:#7c2d12/);
      assert.match(g.body, /--lk-primary:#065f46/);
      assert.match(g.body, /data-appearance="dark"/);
      assert.doesNotMatch(g.body, /#7c2d12|cdn\.acme/);
      assert.doesNotMatch(p.body, /--lk-primary:#(?!1d4ed8)/);
      assert.match(p.csp, /img-src 'self';/);
    });

    const refusals: Array<[string, Record<string, unknown>, RegExp]> = [
      ['an invalid colour', { primary_color: 'red' }, /primary_color/],
      ['a colour with CSS in it', { accent_color: '#fff;background:url(x)' }, /accent_color/],
      ['a non-https logo', { logo_url: 'http://cdn.acme.example/logo.svg', logo_alt: 'logo' }, /logo_url must be an https URL/],
      ['a javascript: logo', { logo_url: 'javascript:alert(1)', logo_alt: 'logo' }, /logo_url/],
      ['a low-contrast button', { primary_color: '#fde047' }, /primary_color: white button text \(#ffffff\) on primary_color #fde047 has a contrast of 1\.\d\d:1; WCAG AA needs at least 4\.5:1/],
      ['a low-contrast link colour', { accent_color: '#93c5fd' }, /accent_color: accent_color #93c5fd as link text on the light page background \(#f3f4f6\) has a contrast of/],
      ['a link colour too dark for a dark brand', { accent_color: '#1e3a8a', appearance: 'dark' }, /accent_color: .* on the dark page card \(#1f2937\)/],
      ['custom CSS with a selector', { custom_css: 'body { display: none }' }, /custom_css may only set the brand's custom properties/],
      ['custom CSS setting a real property', { custom_css: 'color: red;' }, /custom_css may only set/],
      ['custom CSS closing the style element', { custom_css: '--lk-radius: 2px;}</style><script>alert(1)</script>' }, /custom_css/],
      ['custom CSS with url(javascript:…)', { custom_css: '--lk-font-family: url(javascript:alert(1));' }, /custom_css: the value of --lk-font-family is not allowed/],
      ['custom CSS with expression(', { custom_css: '--lk-radius: expression(alert(1));' }, /custom_css: the value of --lk-radius is not allowed/],
      ['an unknown field', { background_image: 'x' }, /unknown brand field "background_image"/],
      ['a display name with a newline', { display_name: 'a\nb' }, /display_name/],
    ];
    for (const [what, brand, message] of refusals) {
      it(`refuses ${what} with a 400 naming the field, and nothing changes`, async () => {
        const before = await root.call('GET', '/tenants/acme/branding');
        const refused = await root.call('PUT', '/tenants/acme/branding', { ...BRAND, ...brand });
        assert.equal(refused.status, 400);
        assert.equal(refused.body.error, 'invalid_request');
        assert.match(String(refused.body.error_description), message);
        assert.deepEqual(await root.call('GET', '/tenants/acme/branding').then((r) => r.body), before.body);
      });
    }

    it('renders markup in brand text inert (escaped), in the page and in the title', async () => {
      const injected = '</style><script>alert(1)</script><img src=x onerror=alert(1)>';
      assert.equal((await root.call('PUT', '/tenants/plain/branding', { display_name: injected, logo_url: 'https://img.example/l.png', logo_alt: '" onerror="alert(1)' })).status, 200);
      const { body } = await loginPage(plain);
      assert.ok(!body.includes('<script>alert(1)'));
      assert.ok(!body.includes('<img src=x'));
      assert.match(body, /<p class="tenant">&lt;\/style&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
      assert.match(body, /alt="&quot; onerror=&quot;alert\(1\)"/);
      assert.equal((await root.call('DELETE', '/tenants/plain/branding')).status, 204);
      assert.doesNotMatch((await loginPage(plain)).body, /<img/);
    });

    it('a partner brand is the default its tenants inherit, field by field', async () => {
      const partner = await root.call('POST', '/partners', { slug: 'reseller', name: 'Reseller' });
      assert.equal(partner.status, 201);
      const partnerId = String(partner.body.id);
      assert.equal((await root.call('PUT', `/partners/${partnerId}/branding`, { display_name: 'Reseller Cloud', primary_color: '#581c87', support_email: 'help@reseller.example' })).status, 200);
      assert.equal((await root.call('PATCH', '/tenants/globex', { partner_id: partnerId })).status, 200);
      const branding = await root.call('GET', '/tenants/globex/branding');
      assert.deepEqual(branding.body.inherited, { display_name: 'Reseller Cloud', primary_color: '#581c87', support_email: 'help@reseller.example' });
      assert.deepEqual(branding.body.effective, { display_name: 'Globex', primary_color: '#065f46', appearance: 'dark', support_email: 'help@reseller.example' });
      assert.equal((await root.call('DELETE', '/tenants/globex/branding')).status, 204);
      const inherited = await loginPage(globex);
      assert.match(inherited.body, /--lk-primary:#581c87/);
      assert.match(inherited.body, /<p class="tenant">Reseller Cloud<\/p>/);
      const refused = await root.call('PUT', `/partners/${partnerId}/branding`, { primary_color: '#fef08a' });
      assert.equal(refused.status, 400);
      assert.match(String(refused.body.error_description), /primary_color/);
    });

    it('a tenant_admin brands its own tenant and cannot see another tenant\'s brand', async () => {
      const acmeAdmin = await adminCaller(server, acme.tenant, 'tenant_admin');
      assert.equal((await acmeAdmin.call('GET', '/tenants/acme/branding')).status, 200);
      assert.equal((await acmeAdmin.call('GET', '/tenants/globex/branding')).status, 404);
      assert.equal((await acmeAdmin.call('PUT', '/tenants/globex/branding', { display_name: 'x' })).status, 404);
      assert.equal((await acmeAdmin.call('GET', '/partners/ptn_x/branding')).status, 403);
    });

    it('shows the client\'s logo (https, CSP naming its origin) and links its policy and terms on the sign-in page', async () => {
      const path = `/tenants/plain/clients/${plain.clientId}`;
      const refused = await root.call('PATCH', path, { logo_uri: 'http://app.example/logo.png' });
      assert.equal(refused.status, 400);
      assert.match(String(refused.body.error_description), /logo_uri must be an https URL/);
      assert.equal((await root.call('PATCH', path, { tos_uri: 'javascript:alert(1)' })).status, 400);
      const changed = await root.call('PATCH', path, { logo_uri: 'https://app.example/logo.png', policy_uri: 'https://app.example/privacy', tos_uri: 'https://app.example/terms' });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.equal(changed.body.logo_uri, 'https://app.example/logo.png');
      const { body, csp } = await loginPage(plain);
      assert.match(body, /<img class="client-logo" src="https:\/\/app\.example\/logo\.png" alt="">/);
      assert.match(body, /<a href="https:\/\/app\.example\/privacy">Privacy policy of plain web app<\/a><a href="https:\/\/app\.example\/terms">Terms of service of plain web app<\/a>/);
      assert.match(csp, /img-src 'self' https:\/\/app\.example;/);
      assert.equal((await root.call('PATCH', path, { logo_uri: null, policy_uri: null, tos_uri: null })).status, 200);
      assert.doesNotMatch((await loginPage(plain)).body, /<img class="client-logo"|Privacy policy of/);
    });

    it('documents the routes in the OpenAPI document', async () => {
      const document = (await root.call('GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
      assert.ok(document.paths['/tenants/{tenant}/branding']?.put);
      assert.ok(document.paths['/partners/{partnerId}/branding']?.put);
      assert.ok(document.components.schemas.Brand);
    });
  });
}
