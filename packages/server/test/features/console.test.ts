/**
 * The admin console end to end in a real browser (issue 19 acceptance): first-start bootstrap → the super admin
 * signs in through Latchkey itself and creates a partner, its tenants and a partner admin → the partner admin
 * sees only its partner's tenants and makes a tenant admin and an auditor → the tenant admin creates an SPA
 * client, a user, a nested group with a role and an API key, and the user's page explains each permission by its
 * role and group path → the auditor reads the audit log, sees no change control on any page, and the API
 * refuses a change it forges with the console's own token (403). Every page passes axe-core (no serious or
 * critical violation) at desktop width and at 390 px, and is screenshotted into docs/console/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { CHROMIUM_ARGS, assertAccessible, checkPage, openConsolePage, signInToConsole, fillHostedSignIn } from '../support/console-browser.ts';
import type { ConsolePage } from '../support/console-browser.ts';
import { issueBootstrapLink } from '../../src/directory/bootstrap.ts';
import { createUser } from '../../src/directory/users.ts';

const PASSWORD = 'correct horse battery staple';
const CHANGE_CONTROL = /^(Create|Save|Rotate|Delete|Disable|Enable|Revoke|Add|Assign|Change|Remove|Take|Reset|Grant|Send|Withdraw|Sign out everywhere)/;

async function heading(page: Page, name: string | RegExp): Promise<void> {
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

async function go(page: Page, hash: string, title: string | RegExp): Promise<void> {
  await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  await heading(page, title);
}

describe('admin console in a real browser', () => {
  let server: TestServer;
  let browser: Browser;
  const opened: ConsolePage[] = [];
  let base: string;

  async function open(): Promise<ConsolePage> {
    const page = await openConsolePage(browser);
    opened.push(page);
    return page;
  }

  before(async () => {
    server = await startTestServer('sqlite');
    base = server.ctx.config.baseUrl;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  });
  after(async () => {
    await browser?.close();
    await server.stop();
  });

  it('bootstraps, delegates down to an auditor, and every page is accessible and within 390 px', { timeout: 240_000 }, async () => {
    // The landing page: what this is, where to go; never a tenant's name.
    const root = await open();
    await root.page.goto(`${base}/`);
    await heading(root.page, 'Latchkey identity server');
    await checkPage(root.page, 'landing');

    // First start: the one-time link makes the first super admin; no account exists before it.
    const link = await issueBootstrapLink(server.ctx);
    assert.ok(link);
    await root.page.goto(link);
    await heading(root.page, 'Create the first super admin');
    await checkPage(root.page, 'bootstrap');
    const bootstrapForm = root.page.getByRole('form', { name: 'Create the first super admin' });
    await bootstrapForm.getByLabel('Email').fill('root@ops.test');
    await bootstrapForm.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await bootstrapForm.getByLabel('Password again').fill(PASSWORD);
    await bootstrapForm.getByRole('button', { name: 'Create super admin' }).click();
    await heading(root.page, 'Super admin created');
    assert.equal(await issueBootstrapLink(server.ctx), undefined, 'no more links once a super admin exists');
    await root.page.getByRole('button', { name: 'Sign in now' }).click();
    await fillHostedSignIn(root.page, 'root@ops.test', PASSWORD);
    await root.page.getByText('tokens issued').waitFor();
    assert.match(await root.page.locator('ul.stats').innerText(), /\d+\s+sign-ins/, 'the dashboard counts this instance\'s sign-ins');
    await checkPage(root.page, 'dashboard');

    // The super admin: a partner, two of its tenants, a standalone tenant, and the partner's admin.
    await go(root.page, '#/partners', 'Partners');
    const partnerForm = root.page.getByRole('form', { name: 'New partner' });
    await partnerForm.getByLabel('Name').fill('Northwind MSP');
    await partnerForm.getByLabel('Slug').fill('northwind');
    await partnerForm.getByRole('button', { name: 'Create partner' }).click();
    await root.page.getByText('Partner Northwind MSP created').waitFor();
    await checkPage(root.page, 'partners');
    await go(root.page, '#/tenants', 'Tenants');
    for (const [name, slug, partner] of [['Acme', 'acme', 'Northwind MSP'], ['Initech', 'initech', 'Northwind MSP'], ['Globex', 'globex', 'None (standalone)']] as const) {
      const tenantForm = root.page.getByRole('form', { name: 'New tenant' });
      await tenantForm.getByLabel('Name').fill(name);
      await tenantForm.getByLabel('Slug').fill(slug);
      await tenantForm.getByLabel('Partner').selectOption({ label: partner });
      await tenantForm.getByRole('button', { name: 'Create tenant' }).click();
      await root.page.getByText(`Tenant ${name} created`).waitFor();
    }
    await checkPage(root.page, 'tenants');
    await go(root.page, '#/tenants/acme', 'Tenant Acme');
    await checkPage(root.page, 'tenant-settings');
    await go(root.page, '#/t/acme/users', 'Users of acme');
    const paForm = root.page.getByRole('form', { name: 'New user' });
    await paForm.getByLabel('Email').fill('pa@acme.test');
    await paForm.getByLabel('Password').fill(PASSWORD);
    await paForm.getByLabel('Admin role').selectOption('partner_admin');
    await paForm.getByRole('button', { name: 'Create user' }).click();
    await root.page.getByText('created.').waitFor();

    // The partner admin signs in at its own tenant and reaches only its partner's tenants.
    const partner = await open();
    await signInToConsole(partner.page, base, 'acme', 'pa@acme.test', PASSWORD);
    await go(partner.page, '#/tenants', 'Tenants');
    await partner.page.getByRole('cell', { name: 'initech', exact: true }).waitFor();
    const slugs = await partner.page.locator('tbody tr td:nth-child(2)').allInnerTexts();
    assert.deepEqual(slugs.sort(), ['acme', 'initech'], 'only the tenants of its partner');
    assert.equal(await partner.page.getByRole('link', { name: 'Partners' }).count(), 0, 'no partners page for a partner admin');
    // It makes the tenant admin and an auditor of initech.
    await go(partner.page, '#/t/initech/users', 'Users of initech');
    for (const [email, role] of [['ta@initech.test', 'tenant_admin'], ['audit@initech.test', 'auditor']] as const) {
      const userForm = partner.page.getByRole('form', { name: 'New user' });
      await userForm.getByLabel('Email').fill(email);
      await userForm.getByLabel('Password').fill(PASSWORD);
      await userForm.getByLabel('Admin role').selectOption(role);
      await userForm.getByRole('button', { name: 'Create user' }).click();
      await partner.page.getByRole('link', { name: email }).first().waitFor();
    }
    const offered = await partner.page.getByRole('form', { name: 'New user' }).getByLabel('Admin role').locator('option').allInnerTexts();
    assert.ok(!offered.includes('super_admin'), 'a partner admin is never offered super_admin');

    // The tenant admin: an SPA client, a user, roles, a nested group with a role, an API key, a key rotation.
    const admin = await open();
    await signInToConsole(admin.page, base, 'initech', 'ta@initech.test', PASSWORD);
    const page = admin.page;
    await go(page, '#/t/initech/clients', 'Applications of initech');
    const clientForm = page.getByRole('form', { name: 'New application' });
    await clientForm.getByLabel('Name').fill('Initech web');
    await clientForm.getByLabel('Kind of application').selectOption('spa');
    await clientForm.getByLabel('Redirect URIs').fill('https://app.initech.test/callback');
    await clientForm.getByRole('button', { name: 'Create application' }).click();
    await page.getByText('Application Initech web created').waitFor();
    assert.equal(await page.locator('.secret').count(), 0, 'an SPA has no secret to show');
    await checkPage(page, 'applications');
    await page.getByRole('link', { name: 'Initech web' }).first().click();
    await heading(page, 'Initech web');
    assert.match(await page.locator('dl.facts').innerText(), /public[\s\S]*none[\s\S]*authorization_code, refresh_token/);
    await checkPage(page, 'application');
    await go(page, '#/t/initech/clients', 'Applications of initech');
    const webForm = page.getByRole('form', { name: 'New application' });
    await webForm.getByLabel('Name').fill('Initech back end');
    await webForm.getByLabel('Kind of application').selectOption('m2m');
    await webForm.getByRole('button', { name: 'Create application' }).click();
    const secret = await page.getByLabel(/Client secret of Initech back end/).inputValue();
    assert.ok(secret.length >= 43, 'a confidential client\'s secret is shown once');
    await page.getByRole('link', { name: 'Initech back end' }).first().click();
    await heading(page, 'Initech back end');
    assert.equal(await page.locator('.secret').count(), 0, 'and not when the client is read again');
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = await page.getByLabel(/Client secret of Initech back end/).inputValue();
    assert.notEqual(rotated, secret);
    const grant = await fetch(`${base}/t/initech/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: (await page.locator('dl.facts dd').first().innerText()).trim(), client_secret: rotated }) });
    assert.equal(grant.status, 200, 'the rotated secret works');

    await go(page, '#/t/initech/users', 'Users of initech');
    const devForm = page.getByRole('form', { name: 'New user' });
    await devForm.getByLabel('Email').fill('dev@initech.test');
    await devForm.getByLabel('Display name').fill('Dana Developer');
    await devForm.getByRole('button', { name: 'Create user' }).click();
    await page.getByText('created.').waitFor();
    await page.getByRole('searchbox').fill('dana');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('table', { name: 'Users matching “dana”' }).waitFor();
    assert.deepEqual(await page.locator('tbody tr td:first-child').allInnerTexts(), ['Dana Developer']);
    // Invitations (accounts landed in main with issue 16): the person gets a link by email.
    const inviteForm = page.getByRole('form', { name: 'Invite a person' });
    await inviteForm.getByLabel('Email').fill('newcomer@initech.test');
    await inviteForm.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText('Invitation sent to newcomer@initech.test.').waitFor();
    await page.getByRole('table', { name: 'Invitations' }).getByRole('cell', { name: 'newcomer@initech.test', exact: true }).waitFor();
    await page.getByRole('searchbox').fill('dana');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('table', { name: 'Users matching “dana”' }).waitFor();
    await checkPage(page, 'users');

    await go(page, '#/t/initech/roles', 'Roles of initech');
    for (const [name, permissions] of [['mailer', 'mail.send mail.read'], ['billing', 'billing.read']] as const) {
      const roleForm = page.getByRole('form', { name: 'New role' });
      await roleForm.getByLabel('Name').fill(name);
      await roleForm.getByLabel('Permissions').fill(permissions);
      await roleForm.getByRole('button', { name: 'Create role' }).click();
      await page.getByText(`Role ${name} created.`).waitFor();
    }
    await checkPage(page, 'roles');

    await go(page, '#/t/initech/groups', 'Groups of initech');
    // Keyboard only: type into the field and submit with Enter.
    await page.getByRole('form', { name: 'New group' }).getByLabel('Name').focus();
    await page.keyboard.type('engineering');
    await page.keyboard.press('Enter');
    await page.getByText('Group engineering created.').waitFor();
    const nested = page.getByRole('form', { name: 'New group' });
    await nested.getByLabel('Name').fill('backend');
    await nested.getByLabel('Inside group').selectOption({ label: 'engineering' });
    await nested.getByRole('button', { name: 'Create group' }).click();
    await page.getByText('Group backend created.').waitFor();
    assert.equal(await page.locator('ul.tree > li > ul > li').innerText(), 'backend', 'backend is drawn inside engineering');
    await checkPage(page, 'groups');
    await page.getByRole('link', { name: 'engineering' }).click();
    await heading(page, 'Group engineering');
    await page.getByRole('form', { name: 'Give the group a role' }).getByLabel('Role').selectOption({ label: 'mailer' });
    await page.getByRole('button', { name: 'Add role' }).click();
    await page.getByText('Role added').waitFor();
    // A cycle is refused: engineering cannot go inside backend, which is inside it.
    await page.getByRole('form', { name: 'Put inside a group' }).getByLabel('Parent group').fill('backend');
    await page.getByRole('button', { name: 'Add parent' }).click();
    await page.getByRole('alert').filter({ hasText: '409' }).waitFor();
    await checkPage(page, 'group');
    await go(page, '#/t/initech/groups', 'Groups of initech');
    await page.getByRole('link', { name: 'backend' }).click();
    await heading(page, 'Group backend');
    await page.getByRole('form', { name: 'Add a member' }).getByLabel('Member email').fill('dev@initech.test');
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByText('Dana Developer added.').waitFor();

    await go(page, '#/t/initech/users', 'Users of initech');
    await page.getByRole('link', { name: 'Dana Developer' }).first().click();
    await heading(page, 'Dana Developer');
    await page.getByRole('form', { name: 'Assign a role' }).getByLabel('Role').selectOption({ label: 'billing' });
    await page.getByRole('button', { name: 'Assign role' }).click();
    await page.getByText('Role assigned.').waitFor();
    const explained = page.getByRole('table', { name: 'Effective permissions and where each comes from' });
    const rows = await explained.locator('tbody tr').allInnerTexts();
    assert.deepEqual(rows.map((row) => row.replace(/\s+/g, ' ').trim()), [
      'billing.read billing (held directly)',
      'mail.read mailer via backend → engineering',
      'mail.send mailer via backend → engineering',
    ]);
    await checkPage(page, 'user');
    await page.getByRole('button', { name: 'Disable user' }).click();
    await page.getByText('User disabled.').waitFor();
    assert.match(await page.locator('dl.facts').innerText(), /Status\s+disabled/);
    await page.getByRole('button', { name: 'Enable user' }).click();
    await page.getByText('User enabled.').waitFor();

    await go(page, '#/t/initech/api-keys', 'API keys of initech');
    const keyForm = page.getByRole('form', { name: 'New API key' });
    await keyForm.getByLabel('Owner email').fill('dev@initech.test');
    await keyForm.getByLabel('Name').fill('ci');
    await keyForm.getByRole('button', { name: 'Create API key' }).click();
    const shown = await page.getByLabel(/API key ci/).inputValue();
    assert.match(shown, /_live_/, 'the key is shown once');
    await checkPage(page, 'api-keys');
    await go(page, '#/', 'Dashboard');
    await go(page, '#/t/initech/api-keys', 'API keys of initech');
    assert.equal(await page.locator('.secret').count(), 0, 'and never again');

    await go(page, '#/t/initech/signing-keys', 'Signing keys of initech');
    await page.getByLabel('Activate after (seconds)').fill('600');
    await page.getByRole('button', { name: 'Rotate key' }).click();
    await page.getByText(/activates in (9|10) min/).waitFor();
    await checkPage(page, 'signing-keys');

    // API resources (landed in main with issue 20): an API the SPA may ask tokens for.
    await go(page, '#/t/initech/api-resources', 'API resources of initech');
    const resourceForm = page.getByRole('form', { name: 'New API resource' });
    await resourceForm.getByLabel('Name').fill('Mail API');
    await resourceForm.getByLabel('Identifier').fill('https://mail.initech.test');
    await resourceForm.getByLabel('Scopes').fill('mail.send mail.read');
    await resourceForm.getByRole('button', { name: 'Create API resource' }).click();
    await page.getByText('API resource Mail API created.').waitFor();
    const spa = await server.ctx.db.selectFrom('clients').select('client_id').where('name', '=', 'Initech web').executeTakeFirstOrThrow();
    const grantForm = page.getByRole('form', { name: 'Grant an API resource' });
    await grantForm.getByLabel('API resource identifier').fill('https://mail.initech.test');
    await grantForm.getByLabel('Client id').fill(spa.client_id);
    await grantForm.getByRole('button', { name: 'Grant access' }).click();
    await page.getByText(`Client ${spa.client_id} may now ask for Mail API.`).waitFor();
    await checkPage(page, 'api-resources');

    // Connections (landed in main with issue 18): an OpenID Connect provider, created, then disabled.
    await go(page, '#/t/initech/connections', 'Connections of initech');
    const connectionForm = page.getByRole('form', { name: 'New connection' });
    await connectionForm.getByLabel('Name').fill('Corp SSO');
    await connectionForm.getByLabel('Slug').fill('corp');
    await connectionForm.getByLabel('Issuer').fill('https://sso.initech.test');
    await connectionForm.getByLabel('Client id').fill('latchkey');
    await connectionForm.getByLabel('Client secret').fill('upstream-secret');
    await connectionForm.getByRole('button', { name: 'Create connection' }).click();
    await page.getByText('Connection Corp SSO created.').waitFor();
    await page.getByRole('button', { name: 'Disable Corp SSO' }).click();
    await page.getByText('Corp SSO disabled.').waitFor();
    assert.ok(!(await page.content()).includes('upstream-secret'), 'the secret is never shown');
    await checkPage(page, 'connections');

    // Branding (landed in main with issue 17): the tenant admin names its sign-in pages and picks a button colour.
    await go(page, '#/t/initech/branding', 'Branding of initech');
    const brandForm = page.getByRole('form', { name: 'Brand' });
    await brandForm.getByLabel('Display name').fill('Initech sign-in');
    await brandForm.getByLabel('Button colour').fill('#1d4ed8');
    await brandForm.getByRole('button', { name: 'Save brand' }).click();
    await page.getByText('Brand saved').waitFor();
    assert.match(await page.locator('dl.facts').innerText(), /display_name\s+Initech sign-in/);
    await checkPage(page, 'branding');

    await go(page, '#/audit', 'Audit log');
    await page.getByRole('cell', { name: 'api_key.create' }).waitFor();
    await checkPage(page, 'audit');
    await page.getByLabel('Follow new events live').check();
    await page.evaluate(`import('/console/src/sdk.ts').then(async (sdk) => fetch('/admin/v1/tenants/initech/groups', { method: 'POST', headers: { authorization: 'Bearer ' + await sdk.getAccessToken(), 'content-type': 'application/json' }, body: JSON.stringify({ name: 'followed' }) }))`);
    await page.getByText(/1 new event/).waitFor({ timeout: 15_000 });
    assert.match(await page.locator('tbody tr').first().innerText(), /group\.create/, 'the new event comes in at the top');
    await page.getByLabel('Follow new events live').uncheck();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const csv = await (await download).createReadStream();
    let text = '';
    for await (const chunk of csv) text += String(chunk);
    assert.match(text, /^id,occurred_at,tenant_id,action,/);
    assert.match(text, /api_key\.create/);

    // MFA (landed in main with issue 15): admins enrolled an authenticator app on their first sign-in; the partner
    // admin sees the tenant admin's factor (never its secret) and resets it, and the tenant's enrolment report.
    await go(partner.page, '#/tenants/initech', 'Tenant Initech');
    assert.match(await partner.page.locator('dl.facts').nth(1).innerText(), /With a second factor\s+[1-9]/);
    const ta = await server.ctx.db.selectFrom('users').select('id').where('email', '=', 'ta@initech.test').executeTakeFirstOrThrow();
    await go(partner.page, `#/t/initech/users/${ta.id}`, 'ta@initech.test');
    await partner.page.getByRole('cell', { name: 'authenticator app', exact: true }).first().waitFor();
    await partner.page.getByRole('button', { name: 'Reset second factors' }).click();
    await partner.page.getByText('1 second factor(s) removed').waitFor();

    // The auditor: reads everything of its tenant, sees no control that changes anything, and the API says 403.
    const auditor = await open();
    await signInToConsole(auditor.page, base, 'initech', 'audit@initech.test', PASSWORD);
    const ap = auditor.page;
    await go(ap, '#/audit', 'Audit log');
    await ap.getByRole('cell', { name: 'api_key.create' }).waitFor();
    await checkPage(ap, 'auditor-audit');
    const dana = await server.ctx.db.selectFrom('users').select('id').where('email', '=', 'dev@initech.test').executeTakeFirstOrThrow();
    const engineering = await server.ctx.db.selectFrom('groups').select('id').where('name', '=', 'engineering').executeTakeFirstOrThrow();
    for (const [hash, title] of [
      ['#/tenants/initech', 'Tenant Initech'], ['#/t/initech/clients', 'Applications of initech'], ['#/t/initech/users', 'Users of initech'],
      [`#/t/initech/users/${dana.id}`, 'Dana Developer'], ['#/t/initech/groups', 'Groups of initech'], [`#/t/initech/groups/${engineering.id}`, 'Group engineering'],
      ['#/t/initech/roles', 'Roles of initech'], ['#/t/initech/api-keys', 'API keys of initech'], ['#/t/initech/signing-keys', 'Signing keys of initech'],
      ['#/t/initech/branding', 'Branding of initech'], ['#/t/initech/api-resources', 'API resources of initech'],
      ['#/t/initech/connections', 'Connections of initech'],
    ] as const) {
      await go(ap, hash, title);
      await ap.waitForLoadState('networkidle');
      assert.equal(await ap.getByRole('button', { name: CHANGE_CONTROL }).count(), 0, `no change control on ${title}`);
      await assertAccessible(ap, `${title} (auditor)`);
    }
    const forged = await ap.evaluate(`import('/console/src/sdk.ts').then(async (sdk) => {
      const response = await fetch('/admin/v1/tenants/initech/users', { method: 'POST', headers: { authorization: 'Bearer ' + await sdk.getAccessToken(), 'content-type': 'application/json' }, body: JSON.stringify({ email: 'sneaky@initech.test' }) });
      return { status: response.status, body: await response.json() };
    })`) as { status: number; body: { error: string } };
    assert.deepEqual(forged, { status: 403, body: { error: 'access_denied', error_description: 'an auditor may read but not change anything' } });
    assert.equal(await server.ctx.db.selectFrom('users').select('id').where('email', '=', 'sneaky@initech.test').executeTakeFirst(), undefined);

    // A person without an admin role signs in and is told so; a reload offers the sign-in choice again.
    await createUser(server.ctx, (await server.ctx.tenants.bySlug('initech'))!, { email: 'plain@initech.test', password: PASSWORD });
    const plain = await open();
    await plain.page.goto(`${base}/console/`);
    await plain.page.getByRole('textbox', { name: /^Your tenant/ }).fill('initech');
    await plain.page.getByRole('button', { name: 'Continue' }).click();
    await plain.page.waitForURL(/\/login\?/);
    await plain.page.getByLabel('Email or username').fill('plain@initech.test');
    await plain.page.getByLabel('Password').fill(PASSWORD);
    await plain.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await plain.page.getByRole('button', { name: 'Authorize' }).click();
    await plain.page.getByRole('alert').filter({ hasText: 'holds no admin role' }).waitFor();
    await plain.page.reload();
    await heading(plain.page, 'Sign in to the Latchkey console');

    // The sign-in screen, and the landing page again: tenant names never appear to anonymous visitors.
    const anonymous = await open();
    await anonymous.page.goto(`${base}/console/`);
    await heading(anonymous.page, 'Sign in to the Latchkey console');
    // Measured, not asserted (shared machine): from navigation start to the first page's heading, empty cache.
    const ready = await anonymous.page.evaluate(`performance.getEntriesByName('latchkey-console-first-page')[0]?.startTime`);
    assert.equal(typeof ready, 'number');
    console.log(`console first page ready ${Math.round(Number(ready))} ms after navigation start (empty cache)`);
    await checkPage(anonymous.page, 'sign-in');
    await anonymous.page.goto(`${base}/`);
    const landing = await anonymous.page.content();
    for (const name of ['acme', 'Acme', 'initech', 'Initech', 'globex', 'Northwind']) assert.ok(!landing.includes(name), `the landing page does not name ${name}`);

    for (const { problems } of opened) assert.deepEqual(problems, [], 'no CSP refusals or page errors');
  });
});
