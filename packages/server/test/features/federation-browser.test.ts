/**
 * Federation in a real browser (issue 18 acceptance): Chromium signs in at a downstream tenant through an
 * upstream OpenID provider, once by the sign-in page's button and once by home-realm discovery, for two
 * upstreams: another Latchkey tenant ("dogfood") and `oidc-provider` (an independent, certified provider, with
 * its development login and consent pages). `openid-client` is the downstream relying party and validates
 * everything. The first sign-in creates the account with mapped groups, the second reuses it, and `amr`
 * contains `fed`. Screenshots of the sign-in page with connections go to docs/images/ (docs/federation.md).
 * One dialect: storage behaviour is covered for both by the other federation tests; this proves the journey.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import * as oidc from 'openid-client';
import Provider from 'oidc-provider';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { TEST_PASSWORD } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { addConnection, callbackUrl, createDownstream, createUpstreamLatchkey } from '../support/federation.ts';
import type { UpstreamLatchkey } from '../support/federation.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '../../../../docs/images');

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

/** oidc-provider with one client (the downstream tenant) and one account, in group `staff-upstream`. */
async function startOidcProvider(redirectUri: string): Promise<{ issuer: string; server: Server }> {
  const server = createServer();
  const issuer = await listen(server);
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'latchkey-acme', client_secret: 'oidc-provider-secret', redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    async findAccount(_ctx: unknown, id: string) {
      return { accountId: id, claims: () => ({ sub: id, email: `${id}@partner.example`, email_verified: true, name: 'Linus Partner', given_name: 'Linus', family_name: 'Partner', groups: ['staff-upstream'] }) };
    },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
  } as ConstructorParameters<typeof Provider>[1]);
  server.on('request', provider.callback());
  return { issuer, server };
}

describe('federation in a real browser: button and home-realm discovery, Latchkey and oidc-provider upstreams', () => {
  let server: TestServer;
  let acme: SignInFixture;
  let upstream: UpstreamLatchkey;
  let independent: { issuer: string; server: Server };
  let rp: Server;
  let rpBase: string;
  let browser: BrowserContext;
  let profile: string;
  let config: oidc.Configuration;

  before(async () => {
    rp = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('relying party'));
    rpBase = await listen(rp);
    server = await startTestServer('sqlite');
    acme = await createDownstream(server, 'acme', `${rpBase}/callback`);
    upstream = await createUpstreamLatchkey(server, 'corp', [callbackUrl(server, 'acme', 'corp')]);
    independent = await startOidcProvider(callbackUrl(server, 'acme', 'partner'));
    await addConnection(server, acme.tenant, {
      slug: 'corp', name: 'Corp SSO (Latchkey)', type: 'oidc', domains: ['corp.example'],
      settings: { issuer: upstream.issuer, client_id: upstream.clientId, group_mapping: { engineering: ['developers'] } }, secrets: { client_secret: upstream.clientSecret },
    });
    await addConnection(server, acme.tenant, {
      slug: 'partner', name: 'Partner (oidc-provider)', type: 'oidc', domains: ['partner.example'],
      settings: { issuer: independent.issuer, client_id: 'latchkey-acme', scopes: ['openid', 'email', 'profile', 'groups'], group_mapping: { 'staff-upstream': ['staff'] } },
      secrets: { client_secret: 'oidc-provider-secret' },
    });
    config = await oidc.discovery(new URL(acme.issuer), acme.clientId, acme.clientSecret, undefined, { execute: [oidc.allowInsecureRequests] });
    profile = mkdtempSync(join(tmpdir(), 'latchkey-chromium-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  });
  after(async () => {
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
    await server.stop();
    await new Promise((resolve) => independent.server.close(resolve));
    await new Promise((resolve) => rp.close(resolve));
  });

  /** Starts an authorization at acme; returns the page and how to finish it at the relying party. */
  async function authorize(page: Page, extra: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: `${rpBase}/callback`, scope: 'openid profile email', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce, ...extra });
    await page.goto(url.href);
    return async () => {
      await page.waitForURL((u) => u.href.startsWith(`${rpBase}/callback`));
      const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
      return tokens.claims()!;
    };
  }

  /** Allows the downstream consent page when it shows (first sign-in of an account). */
  async function consentIfAsked(page: Page): Promise<void> {
    await page.waitForURL((u) => u.href.startsWith(`${rpBase}/callback`) || u.pathname === '/t/acme/consent');
    if (new URL(page.url()).pathname === '/t/acme/consent') await page.getByRole('button', { name: 'Authorize' }).click();
  }

  async function groupsOf(userId: string): Promise<string[]> {
    const rows = await server.ctx.db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id').select('groups.name').where('group_members.user_id', '=', userId).execute();
    return rows.map((r) => r.name).sort();
  }

  it('Latchkey upstream: the button, then home-realm discovery; JIT with mapped groups, reused; amr has fed', async () => {
    const page = await browser.newPage();
    const finish = await authorize(page);
    assert.equal(await page.title(), 'Sign in · Tenant acme');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'federation-sign-in.png'), fullPage: true });
    await page.getByRole('button', { name: 'Continue with Corp SSO (Latchkey)' }).click();

    await page.waitForURL(/\/t\/corp\/login\?/);
    await page.getByLabel('Email or username').fill(upstream.user.email!);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/t/corp/consent' || u.href.startsWith(`${rpBase}/callback`) || u.pathname === '/t/acme/consent');
    if (new URL(page.url()).pathname === '/t/corp/consent') await page.getByRole('button', { name: 'Authorize' }).click();
    await consentIfAsked(page);
    const claims = await finish();
    assert.ok(Array.isArray(claims.amr) && claims.amr.includes('fed'), `amr: ${JSON.stringify(claims.amr)}`);
    const link = await server.ctx.db.selectFrom('federated_identities').selectAll().where('subject', '=', upstream.user.id).executeTakeFirstOrThrow();
    assert.equal(claims.sub, link.user_id);
    assert.deepEqual(await groupsOf(link.user_id), ['developers']);

    // Home-realm discovery; prompt=login makes acme show its page again (its session would skip it otherwise).
    const again = await authorize(page, { prompt: 'login' });
    await page.getByLabel('Email or username').fill('grace@corp.example');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await consentIfAsked(page);
    const second = await again();
    assert.equal(second.sub, link.user_id, 'the second sign-in reuses the account');
    assert.ok(Array.isArray(second.amr) && second.amr.includes('fed'));
    await page.close();
  });

  it('oidc-provider upstream: the button, then home-realm discovery; JIT with mapped groups, reused; amr has fed', async () => {
    const page = await browser.newPage();
    const finish = await authorize(page, { prompt: 'login' });
    await page.getByRole('button', { name: 'Continue with Partner (oidc-provider)' }).click();
    // Its development pages @import a web font; do not wait for a load event that needs the internet.
    await page.waitForURL((u) => u.href.startsWith(independent.issuer), { waitUntil: 'commit' });
    await page.locator('input[name=login]').fill('linus');
    await page.locator('input[name=password]').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await consentIfAsked(page);
    const claims = await finish();
    assert.ok(Array.isArray(claims.amr) && claims.amr.includes('fed'), `amr: ${JSON.stringify(claims.amr)}`);
    assert.equal(claims.email, 'linus@partner.example', 'a verified upstream email is kept');
    const link = await server.ctx.db.selectFrom('federated_identities').selectAll().where('subject', '=', 'linus').executeTakeFirstOrThrow();
    assert.equal(claims.sub, link.user_id);
    assert.deepEqual(await groupsOf(link.user_id), ['staff']);

    const again = await authorize(page, { prompt: 'login' });
    await page.getByLabel('Email or username').fill('linus@partner.example');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // oidc-provider remembers the session and grant: back without its pages.
    await consentIfAsked(page);
    const second = await again();
    assert.equal(second.sub, link.user_id, 'the second sign-in reuses the account');
    await page.close();
  });
});
