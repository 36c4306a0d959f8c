/**
 * OpenID Connect federation with another Latchkey tenant as the upstream ("dogfood", issue 18 acceptance):
 * sign-in through the button, through home-realm discovery and through idp_hint / kc_idp_hint; a just-in-time
 * account with mapped groups, reused at the next sign-in; and the refusals of the security list (state
 * mismatch, a response from another browser, nonce mismatch, issuer mix-up, an email already used locally
 * without verification), each with no account created or linked. SQLite and PostgreSQL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { TEST_PASSWORD } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { CookieJar, exchangeCode, fetchWithJar, postFormWithJar, readForm } from '../support/sign-in.ts';
import { addConnection, callbackUrl, createDownstream, createUpstreamLatchkey, walkFederatedSignIn } from '../support/federation.ts';
import type { UpstreamLatchkey, WalkResult } from '../support/federation.ts';

function payloadOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}

for (const dialect of DIALECTS) {
  describe(`federation: OpenID Connect upstream = another Latchkey tenant (${dialect})`, () => {
    let server: TestServer;
    let acme: SignInFixture;
    let upstream: UpstreamLatchkey;
    let other: UpstreamLatchkey;

    async function countUsers(): Promise<number> {
      const row = await server.ctx.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', acme.tenant.id).executeTakeFirstOrThrow();
      return Number(row.n);
    }
    async function countLinks(): Promise<number> {
      const row = await server.ctx.db.selectFrom('federated_identities').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', acme.tenant.id).executeTakeFirstOrThrow();
      return Number(row.n);
    }
    async function tokensOf(walk: WalkResult): Promise<Record<string, unknown>> {
      assert.ok(walk.callback, `the walk stopped at ${walk.stoppedAt?.url} (${walk.stoppedAt?.status}): ${walk.stoppedAt?.body.slice(0, 600)}`);
      const code = walk.callback.searchParams.get('code');
      assert.ok(code, walk.callback.href);
      const response = await exchangeCode({ issuer: acme.issuer, clientId: acme.clientId, clientSecret: acme.clientSecret, redirectUri: acme.redirectUri, code, codeVerifier: walk.pkce.verifier });
      const tokens = (await response.json()) as Record<string, unknown>;
      assert.equal(response.status, 200, JSON.stringify(tokens));
      return tokens;
    }
    function refusedWith(walk: WalkResult, reason: string): void {
      assert.equal(walk.callback, undefined, 'nothing reached the client');
      assert.equal(walk.stoppedAt?.status, 400, walk.stoppedAt?.body.slice(0, 500));
      assert.ok(walk.stoppedAt!.body.includes(`<code>${reason}</code>`), walk.stoppedAt!.body.slice(0, 800));
      assert.match(walk.stoppedAt!.body, /<p id="reference">Reference: <code>[^<]+<\/code>/, 'a correlation id is shown');
    }

    before(async () => {
      server = await startTestServer(dialect);
      acme = await createDownstream(server, 'acme');
      upstream = await createUpstreamLatchkey(server, 'upstream', [callbackUrl(server, 'acme', 'corp')]);
      other = await createUpstreamLatchkey(server, 'other', [callbackUrl(server, 'acme', 'partner')], 'linus@other.example');
      await addConnection(server, acme.tenant, {
        slug: 'corp', name: 'Corp SSO', type: 'oidc', domains: ['upstream.example'],
        settings: { issuer: upstream.issuer, client_id: upstream.clientId, group_mapping: { engineering: ['developers'] }, sync_groups: true, idp_claim: true },
        secrets: { client_secret: upstream.clientSecret },
      });
      await addConnection(server, acme.tenant, {
        slug: 'partner', name: 'Partner SSO', type: 'oidc',
        settings: { issuer: other.issuer, client_id: other.clientId }, secrets: { client_secret: other.clientSecret },
      });
    });
    after(() => server.stop());

    it('signs in through the button: a just-in-time account with mapped groups, reused at the next sign-in', async () => {
      const usersBefore = await countUsers();
      const first = await walkFederatedSignIn({ downstream: acme, choice: { button: 'corp' }, upstreamLogin: { login: upstream.user.email!, password: TEST_PASSWORD } });
      const tokens = await tokensOf(first);
      assert.deepEqual(first.pages.filter((p) => p.includes('login')), ['login', 'upstream-login']);
      const idToken = payloadOf(String(tokens.id_token));
      assert.equal(idToken.name, 'Grace Hopper', 'JIT account named from the upstream claims');
      assert.deepEqual(idToken.amr, ['fed'], 'amr says the session began upstream');
      assert.equal(idToken.idp, 'corp', 'idp names the connection (idp_claim)');
      const link = await server.ctx.db.selectFrom('federated_identities').selectAll().where('subject', '=', upstream.user.id).executeTakeFirstOrThrow();
      assert.equal(idToken.sub, link.user_id, 'the ID token names the linked local user');
      assert.equal(await countUsers(), usersBefore + 1, 'one account was created');
      const groups = await server.ctx.db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id').select('groups.name').where('group_members.user_id', '=', link.user_id).execute();
      assert.deepEqual(groups.map((g) => g.name), ['developers'], 'upstream engineering -> developers');
      const user = await server.ctx.db.selectFrom('users').selectAll().where('id', '=', link.user_id).executeTakeFirstOrThrow();
      assert.equal(user.email, null, 'Latchkey upstreams do not assert email_verified, so the address is not taken over');
      assert.equal(user.display_name, 'Grace Hopper');
      const event = await server.ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'federation.sign_in').where('target_id', '=', link.user_id).executeTakeFirstOrThrow();
      assert.equal(event.outcome, 'success');
      assert.equal((JSON.parse(event.details) as Record<string, unknown>).created, true);

      const second = await walkFederatedSignIn({ downstream: acme, choice: { button: 'corp' }, upstreamLogin: { login: upstream.user.email!, password: TEST_PASSWORD } });
      const again = payloadOf(String((await tokensOf(second)).id_token));
      assert.equal(again.sub, link.user_id, 'the second sign-in reuses the account');
      assert.equal(await countUsers(), usersBefore + 1, 'no second account');
    });

    it('sends an email of a claimed domain straight upstream (home-realm discovery), with login_hint', async () => {
      let upstreamAuthorize: URL | undefined;
      const walk = await walkFederatedSignIn({
        downstream: acme, choice: { email: 'Grace@Upstream.example' }, upstreamLogin: { login: upstream.user.email!, password: TEST_PASSWORD },
        rewrite: (url) => {
          if (url.pathname === '/t/upstream/oauth2/authorize') upstreamAuthorize = url;
          return undefined;
        },
      });
      await tokensOf(walk);
      assert.equal(upstreamAuthorize?.searchParams.get('login_hint'), 'Grace@Upstream.example');
      assert.equal(upstreamAuthorize?.searchParams.get('code_challenge_method'), 'S256');
      assert.ok(upstreamAuthorize?.searchParams.get('nonce'));
    });

    it('goes straight to the connection named by idp_hint or kc_idp_hint; an unknown hint shows the page', async () => {
      for (const parameter of ['idp_hint', 'kc_idp_hint']) {
        const walk = await walkFederatedSignIn({ downstream: acme, choice: 'none', extra: { [parameter]: 'corp' }, upstreamLogin: { login: upstream.user.email!, password: TEST_PASSWORD } });
        await tokensOf(walk);
        assert.ok(!walk.pages.includes('login'), `${parameter}: the sign-in page was skipped`);
      }
      const unknown = await walkFederatedSignIn({ downstream: acme, choice: 'none', extra: { idp_hint: 'nope' } });
      assert.deepEqual(unknown.pages, ['login']);
    });

    it('refuses a callback whose state does not match, or that arrives in another browser', async () => {
      const users = await countUsers();
      const links = await countLinks();
      const tampered = await walkFederatedSignIn({
        downstream: acme, choice: { button: 'partner' }, upstreamLogin: { login: other.user.email!, password: TEST_PASSWORD },
        rewrite: (url) => {
          if (!url.pathname.endsWith('/federation/partner/callback')) return undefined;
          url.searchParams.set('state', randomBytes(32).toString('base64url'));
          return url;
        },
      });
      refusedWith(tampered, 'state_mismatch');

      let captured: URL | undefined;
      const victim = await walkFederatedSignIn({
        downstream: acme, choice: { button: 'partner' }, upstreamLogin: { login: other.user.email!, password: TEST_PASSWORD },
        rewrite: (url) => {
          if (!url.pathname.endsWith('/federation/partner/callback')) return undefined;
          captured = new URL(url);
          return new URL(`${acme.issuer}/federation/partner/callback?error=access_denied&state=x`);
        },
      });
      assert.equal(victim.callback, undefined);
      const elsewhere = await fetchWithJar(new CookieJar(), captured!.href);
      assert.equal(elsewhere.status, 400);
      assert.ok((await elsewhere.text()).includes('<code>state_mismatch</code>'), 'another browser cannot finish the sign-in');
      assert.equal(await countUsers(), users, 'no account was created');
      assert.equal(await countLinks(), links, 'nothing was linked');
      const failures = await server.ctx.db.selectFrom('audit_events').select('details').where('action', '=', 'federation.sign_in').where('outcome', '=', 'failure').execute();
      assert.ok(failures.some((f) => (JSON.parse(f.details) as Record<string, unknown>).reason === 'state_mismatch'), 'the refusal is audited');
    });

    it('refuses an ID token whose nonce is not the one sent', async () => {
      const users = await countUsers();
      const walk = await walkFederatedSignIn({
        downstream: acme, choice: { button: 'partner' }, upstreamLogin: { login: other.user.email!, password: TEST_PASSWORD },
        rewrite: (url) => {
          if (url.pathname !== '/t/other/oauth2/authorize') return undefined;
          url.searchParams.set('nonce', 'attacker-chosen-nonce');
          return url;
        },
      });
      refusedWith(walk, 'invalid_response');
      assert.equal(await countUsers(), users);
    });

    it('refuses a response of one connection presented at another connection\'s callback (mix-up)', async () => {
      const users = await countUsers();
      const links = await countLinks();
      const walk = await walkFederatedSignIn({
        downstream: acme, choice: { button: 'partner' }, upstreamLogin: { login: other.user.email!, password: TEST_PASSWORD },
        rewrite: (url) => {
          if (!url.pathname.endsWith('/federation/partner/callback')) return undefined;
          return new URL(url.href.replace('/federation/partner/callback', '/federation/corp/callback'));
        },
      });
      refusedWith(walk, 'state_mismatch');
      assert.ok(walk.stoppedAt!.body.includes('mix-up'));
      assert.equal(await countUsers(), users);
      assert.equal(await countLinks(), links);
    });

    it('never links an upstream identity to a local account by an unverified email; the user proves the account with its password first', async () => {
      const upstreamAda = await createUpstreamLatchkey(server, 'ada-idp', [callbackUrl(server, 'acme', 'ada-idp')], acme.login);
      await addConnection(server, acme.tenant, { slug: 'ada-idp', name: 'Ada IdP', type: 'oidc', settings: { issuer: upstreamAda.issuer, client_id: upstreamAda.clientId, trust_email: true }, secrets: { client_secret: upstreamAda.clientSecret } });
      const users = await countUsers();
      const links = await countLinks();
      const walk = await walkFederatedSignIn({ downstream: acme, choice: { button: 'ada-idp' }, upstreamLogin: { login: acme.login, password: TEST_PASSWORD } });
      assert.equal(walk.callback, undefined);
      assert.ok(walk.stoppedAt?.url.includes('link=ada-idp'), walk.stoppedAt?.url);
      assert.ok(walk.stoppedAt!.body.includes('Sign in to it once with its password to link your Ada IdP sign-in'));
      assert.equal(await countUsers(), users, 'no account was created');
      assert.equal(await countLinks(), links, 'nothing was linked');
      const refused = await server.ctx.db.selectFrom('audit_events').select('details').where('action', '=', 'federation.sign_in').where('target_id', '=', acme.user.id).where('outcome', '=', 'failure').executeTakeFirstOrThrow();
      assert.equal((JSON.parse(refused.details) as Record<string, unknown>).reason, 'email_in_use_unverified');

      // Proving the local account (its password, in the same sign-in) links the identity.
      const { action, fields } = readForm(walk.stoppedAt!.body);
      const proved = await postFormWithJar(walk.jar, action, { ...fields, login: acme.login, password: acme.password, action: 'sign_in' });
      assert.ok([302, 303].includes(proved.status), String(proved.status));
      const link = await server.ctx.db.selectFrom('federated_identities').selectAll().where('subject', '=', upstreamAda.user.id).executeTakeFirstOrThrow();
      assert.equal(link.user_id, acme.user.id);
      const next = await walkFederatedSignIn({ downstream: acme, choice: { button: 'ada-idp' }, upstreamLogin: { login: acme.login, password: TEST_PASSWORD } });
      const linked = payloadOf(String((await tokensOf(next)).id_token));
      assert.equal(linked.sub, acme.user.id, 'the linked identity now signs in to the local account');
      assert.deepEqual(linked.amr, ['fed']);
      assert.equal(linked.idp, undefined, 'no idp claim unless the connection asks for it');
      const password = await walkFederatedSignIn({ downstream: acme, choice: { password: { login: acme.login, password: acme.password } } });
      assert.deepEqual(payloadOf(String((await tokensOf(password)).id_token)).amr, ['pwd'], 'a password sign-in in the same browser is not marked fed');
    });

    it('hides a disabled connection and refuses to start it', async () => {
      await server.ctx.db.updateTable('connections').set({ enabled: 0 }).where('slug', '=', 'partner').execute();
      try {
        const walk = await walkFederatedSignIn({ downstream: acme, choice: 'none' });
        assert.ok(walk.stoppedAt!.body.includes('Continue with Corp SSO'));
        assert.ok(!walk.stoppedAt!.body.includes('Continue with Partner SSO'));
        const { fields } = readForm(walk.stoppedAt!.body);
        const started = await postFormWithJar(walk.jar, `${acme.issuer}/federation/partner/start`, { interaction: fields.interaction!, csrf_token: fields.csrf_token! });
        assert.equal(started.status, 400);
        assert.ok((await started.text()).includes('connection_unavailable'));
      } finally {
        await server.ctx.db.updateTable('connections').set({ enabled: 1 }).where('slug', '=', 'partner').execute();
      }
    });
  });
}
