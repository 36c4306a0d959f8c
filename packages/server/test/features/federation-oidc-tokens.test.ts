/**
 * ID token checks of an OpenID Connect upstream (issue 18, security acceptance), against a scripted upstream:
 * an ID token signed by a key outside the upstream's JWKS and one with `alg: none` are refused with nothing
 * created or linked; a verified email links to a local account only when the connection is trusted for it;
 * Entra-style `allowed_tenant_ids` refuses other directories; stored upstream tokens are sealed and readable
 * only through the audited admin route. SQLite and PostgreSQL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { adminCaller } from '../support/admin.ts';
import { CookieJar, exchangeCode, fetchWithJar, postFormWithJar, readForm } from '../support/sign-in.ts';
import { addConnection, createDownstream, walkFederatedSignIn } from '../support/federation.ts';
import type { WalkResult } from '../support/federation.ts';
import { startScriptedProvider } from '../support/scripted-oidc-provider.ts';
import type { ScriptedProvider } from '../support/scripted-oidc-provider.ts';

for (const dialect of DIALECTS) {
  describe(`federation: ID token and email checks of an OpenID Connect upstream (${dialect})`, () => {
    let server: TestServer;
    let acme: SignInFixture;
    let upstream: ScriptedProvider;

    async function counts(): Promise<{ users: number; links: number }> {
      const users = await server.ctx.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', acme.tenant.id).executeTakeFirstOrThrow();
      const links = await server.ctx.db.selectFrom('federated_identities').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return { users: Number(users.n), links: Number(links.n) };
    }
    function refused(walk: WalkResult, reason: string): void {
      assert.equal(walk.callback, undefined);
      assert.equal(walk.stoppedAt?.status, 400, walk.stoppedAt?.body.slice(0, 400));
      assert.ok(walk.stoppedAt!.body.includes(`<code>${reason}</code>`), walk.stoppedAt!.body.slice(0, 600));
    }
    async function subOf(walk: WalkResult): Promise<string> {
      const code = walk.callback?.searchParams.get('code');
      assert.ok(code, walk.stoppedAt?.body.slice(0, 600));
      const response = await exchangeCode({ issuer: acme.issuer, clientId: acme.clientId, clientSecret: acme.clientSecret, redirectUri: acme.redirectUri, code, codeVerifier: walk.pkce.verifier });
      const tokens = (await response.json()) as { id_token: string };
      return String((JSON.parse(Buffer.from(tokens.id_token.split('.')[1]!, 'base64url').toString()) as { sub: string }).sub);
    }

    before(async () => {
      server = await startTestServer(dialect);
      acme = await createDownstream(server, 'acme');
      upstream = await startScriptedProvider('acme-at-scripted');
      await addConnection(server, acme.tenant, { slug: 'scripted', name: 'Scripted', type: 'oidc', settings: { issuer: upstream.issuer, client_id: 'acme-at-scripted', store_tokens: true }, secrets: { client_secret: 's3cret' } });
    });
    after(async () => {
      await upstream.close();
      await server.stop();
    });

    it('signs in when the ID token is good (so the refusals below are about the token alone)', async () => {
      upstream.mode = 'good';
      upstream.claims = { sub: 'good-1', name: 'Good One' };
      const before = await counts();
      await subOf(await walkFederatedSignIn({ downstream: acme, choice: { button: 'scripted' } }));
      const after = await counts();
      assert.equal(after.users, before.users + 1);
    });

    for (const mode of ['foreign-key', 'alg-none'] as const) {
      it(`refuses an ID token ${mode === 'foreign-key' ? 'signed by a key outside the upstream JWKS' : 'with alg none'}, creating and linking nothing`, async () => {
        upstream.mode = mode;
        upstream.claims = { sub: `attacker-${mode}`, email: acme.login, email_verified: true };
        const before = await counts();
        refused(await walkFederatedSignIn({ downstream: acme, choice: { button: 'scripted' } }), 'invalid_response');
        assert.deepEqual(await counts(), before);
      });
    }

    it('links a verified upstream email to the local account only when the connection is trusted for it', async () => {
      upstream.mode = 'good';
      upstream.claims = { sub: 'verified-ada', email: acme.login.toUpperCase(), email_verified: true };
      const untrusted = await walkFederatedSignIn({ downstream: acme, choice: { button: 'scripted' } });
      assert.ok(untrusted.stoppedAt?.url.includes('link=scripted'), 'untrusted connection: the user must prove the account');
      assert.equal((await counts()).links, 1);

      await server.ctx.db.updateTable('connections').set({ settings: JSON.stringify({ ...JSON.parse((await server.ctx.db.selectFrom('connections').select('settings').where('slug', '=', 'scripted').executeTakeFirstOrThrow()).settings), trust_email: true }), updated_at: Date.now() }).where('slug', '=', 'scripted').execute();
      upstream.claims = { sub: 'unverified-ada', email: acme.login, email_verified: false };
      const unverified = await walkFederatedSignIn({ downstream: acme, choice: { button: 'scripted' } });
      assert.ok(unverified.stoppedAt?.url.includes('link=scripted'), 'trusted connection, unverified email: still no link');
      assert.equal((await counts()).links, 1);

      upstream.claims = { sub: 'verified-ada', email: acme.login, email_verified: true };
      assert.equal(await subOf(await walkFederatedSignIn({ downstream: acme, choice: { button: 'scripted' } })), acme.user.id, 'trusted and verified: linked');
    });

    it('refuses a directory outside allowed_tenant_ids (the Entra multi-tenant guard)', async () => {
      const row = await server.ctx.db.selectFrom('connections').select('settings').where('slug', '=', 'scripted').executeTakeFirstOrThrow();
      await server.ctx.db.updateTable('connections').set({ settings: JSON.stringify({ ...JSON.parse(row.settings), allowed_tenant_ids: ['11111111-1111-1111-1111-111111111111'] }), updated_at: Date.now() + 1 }).where('slug', '=', 'scripted').execute();
      upstream.claims = { sub: 'foreign-directory-user', tid: '22222222-2222-2222-2222-222222222222' };
      const before = await counts();
      refused(await walkFederatedSignIn({ downstream: acme, choice: { button: 'scripted' } }), 'tenant_not_allowed');
      assert.deepEqual(await counts(), before);
      upstream.claims = { sub: 'home-directory-user', tid: '11111111-1111-1111-1111-111111111111' };
      await subOf(await walkFederatedSignIn({ downstream: acme, choice: { button: 'scripted' } }));
    });

    it('lists linked identities on the account section and unlinks one, never the last way in', async () => {
      upstream.mode = 'good';
      const tid = '11111111-1111-1111-1111-111111111111'; // the directory the previous test allowed
      upstream.claims = { sub: 'good-1', name: 'Good One', tid };
      const jit = await walkFederatedSignIn({ downstream: acme, choice: { button: 'scripted' } });
      const page = await fetchWithJar(jit.jar, `${acme.issuer}/account/identities`);
      const body = await page.text();
      assert.equal(page.status, 200, body.slice(0, 300));
      assert.ok(body.includes('Unlink Scripted'));
      const form = readForm(body);
      const refused = await postFormWithJar(jit.jar, form.action, form.fields);
      assert.equal(refused.status, 409, 'a JIT account without a password keeps its only way in');
      assert.equal((await counts()).links >= 1, true);
      assert.ok(await server.ctx.db.selectFrom('federated_identities').select('subject').where('subject', '=', 'good-1').executeTakeFirst());

      upstream.claims = { sub: 'verified-ada', email: acme.login, email_verified: true, tid };
      const local = await walkFederatedSignIn({ downstream: acme, choice: { button: 'scripted' } });
      const own = readForm(await (await fetchWithJar(local.jar, `${acme.issuer}/account/identities`)).text());
      const unlinked = await postFormWithJar(local.jar, own.action, own.fields);
      assert.equal(unlinked.status, 200);
      assert.ok((await unlinked.text()).includes('is no longer linked'));
      assert.equal(await server.ctx.db.selectFrom('federated_identities').select('subject').where('subject', '=', 'verified-ada').executeTakeFirst(), undefined, 'the local account (with a password) may unlink');
      const forged = await postFormWithJar(local.jar, own.action, { ...own.fields, csrf_token: 'x'.repeat(43) });
      assert.equal(forged.status, 403, 'CSRF checked');
      assert.equal((await fetchWithJar(new CookieJar(), `${acme.issuer}/account/identities`)).status, 400, 'signed-out browsers see nothing');
    });

    it('stores upstream tokens sealed, readable through the audited admin route only', async () => {
      const link = await server.ctx.db.selectFrom('federated_identities').selectAll().where('subject', '=', 'good-1').executeTakeFirstOrThrow();
      assert.ok(link.tokens_jwe !== null && !link.tokens_jwe.includes('at-code'), 'sealed at rest');
      const admin = await adminCaller(server, acme.tenant, 'tenant_admin');
      const read = await admin.call('GET', `/tenants/acme/users/${link.user_id}/identities/scripted/good-1/tokens`);
      assert.equal(read.status, 200, JSON.stringify(read.body));
      assert.match(String(read.body.access_token), /^at-code-/);
      const listed = await admin.call('GET', `/tenants/acme/users/${link.user_id}/identities`);
      assert.equal((listed.body.data as Array<{ connection: string }>)[0]!.connection, 'scripted');
      const events = await server.ctx.db.selectFrom('audit_events').select('action').where('action', '=', 'identity.tokens.read').execute();
      assert.equal(events.length, 1);
      assert.equal((await admin.call('DELETE', `/tenants/acme/users/${link.user_id}/identities/scripted/good-1`)).status, 204);
      assert.equal((await admin.call('GET', `/tenants/acme/users/${link.user_id}/identities`)).body.data instanceof Array, true);
    });
  });
}
