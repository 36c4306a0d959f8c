/**
 * A client's stored consents and grants end when an admin changes what users approved (issue 13, high, second
 * path): a tenant_admin added an attacker's redirect URI to a client a super_admin had consented to, and the
 * super_admin's live session then gave the attacker a code with prompt=none, because consent was keyed on
 * user, client and scope and survived the change. Now the change drops the consents and revokes the client's
 * grants, says so in the answer and the audit event, and prompt=none answers consent_required.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { adminCaller } from '../support/admin.ts';
import type { AdminCaller } from '../support/admin.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { exchangeCode, signIn, signInForTokens } from '../support/sign-in.ts';
import { enrolSecondFactor } from '../support/mfa.ts';
import { postForm } from '../support/http.ts';
import { createTenant } from '../../src/directory/tenants.ts';

const ATTACKER = 'https://attacker.example/cb';
const SCOPE = 'openid profile email offline_access latchkey:admin';

for (const dialect of DIALECTS) {
  describe(`client changes end what users approved (${dialect})`, () => {
    let server: TestServer;
    let fixture: SignInFixture;
    let tenantAdmin: AdminCaller;
    let root: AdminCaller;
    let recoveryCodes: string[];

    before(async () => {
      server = await startTestServer(dialect);
      fixture = await createSignInFixture(server, 'acme', { client: { scopes: ['openid', 'profile', 'email', 'offline_access', 'latchkey:admin'] } });
      // The signed-in user is a super_admin; the tenant's own admin is only a tenant_admin.
      await server.ctx.db.updateTable('users').set({ admin_role: 'super_admin' }).where('id', '=', fixture.user.id).execute();
      // Admins sign in with a second factor (mfa.required_for_admins, on by default; issue 15).
      recoveryCodes = (await enrolSecondFactor(server.ctx, fixture.tenant, fixture.user.id)).recoveryCodes;
      tenantAdmin = await adminCaller(server, fixture.tenant, 'tenant_admin');
      root = await adminCaller(server, await createTenant(server.ctx, { slug: 'ops' }), 'super_admin');
    });
    after(() => server.stop());

    const silently = (jar: import('../support/sign-in.ts').CookieJar, redirectUri: string) =>
      signIn({ issuer: fixture.issuer, clientId: fixture.clientId, redirectUri, scope: SCOPE, jar, extra: { prompt: 'none' } });

    it('refuses prompt=none to a redirect URI a tenant_admin added after a super_admin consented, and revokes the old grants', async () => {
      const { tokens, result } = await signInForTokens({ ...fixture, scope: SCOPE, login: fixture.login, password: fixture.password, recoveryCodes });
      assert.deepEqual(result.pages, ['login', 'mfa', 'consent']);
      // Consent is remembered: prompt=none gives a code at the registered redirect URI, and an unrelated change keeps it.
      assert.equal((await silently(result.jar, fixture.redirectUri)).error, undefined);
      const renamed = await tenantAdmin.call('PATCH', `/tenants/acme/clients/${fixture.clientId}`, { name: 'Acme web (renamed)' });
      assert.equal(renamed.status, 200);
      assert.ok((await silently(result.jar, fixture.redirectUri)).code);

      const added = await tenantAdmin.call('PATCH', `/tenants/acme/clients/${fixture.clientId}`, { redirect_uris: [fixture.redirectUri, ATTACKER] });
      assert.equal(added.status, 200);
      const stolen = await silently(result.jar, ATTACKER);
      assert.equal(stolen.code, undefined, 'no code for the attacker');
      assert.equal(stolen.error, 'consent_required');
      assert.equal((await silently(result.jar, fixture.redirectUri)).error, 'consent_required', 'the user is asked again everywhere');

      assert.deepEqual(renamed.body.authorizations_reset, { changed: [], consents: 0, grants: 0 });
      const reset = added.body.authorizations_reset as { changed: string[]; consents: number; grants: number };
      assert.deepEqual(reset.changed, ['redirect_uris']);
      assert.equal(reset.consents, 1);
      assert.ok(reset.grants >= 1, 'the grants of the earlier sign-ins are revoked');

      const refresh = await postForm(`${fixture.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string, client_id: fixture.clientId, client_secret: fixture.clientSecret });
      assert.equal(refresh.status, 400);
      assert.equal(((await refresh.json()) as Record<string, unknown>).error, 'invalid_grant');

      const events = await root.call('GET', `/audit-events?action=client.update&target_id=${fixture.clientId}`);
      const details = (events.body.data as Array<{ details: Record<string, unknown> }>).map((e) => e.details.authorizations_reset);
      assert.ok(details.some((d) => JSON.stringify(d) === JSON.stringify(reset)), JSON.stringify(details));
    });

    it('drops consents when scopes or grant types change, and a fresh consent works again', async () => {
      const first = await signIn({ ...fixture, scope: SCOPE, login: fixture.login, password: fixture.password, recoveryCodes });
      assert.ok(first.code);
      assert.equal((await exchangeCode({ ...fixture, code: first.code, codeVerifier: first.pkce.verifier })).status, 200);
      const scopes = await tenantAdmin.call('PATCH', `/tenants/acme/clients/${fixture.clientId}`, { scopes: ['openid', 'profile', 'email', 'offline_access', 'latchkey:admin', 'phone'] });
      assert.deepEqual((scopes.body.authorizations_reset as { changed: string[] }).changed, ['scopes']);
      assert.equal((await silently(first.jar, fixture.redirectUri)).error, 'consent_required');
      const again = await signIn({ ...fixture, scope: SCOPE, jar: first.jar });
      assert.deepEqual(again.pages, ['consent']);
      assert.ok(again.code);
      const grants = await tenantAdmin.call('PATCH', `/tenants/acme/clients/${fixture.clientId}`, { grant_types: ['authorization_code'] });
      const reset = grants.body.authorizations_reset as { changed: string[]; consents: number };
      assert.deepEqual(reset.changed, ['grant_types']);
      assert.equal(reset.consents, 1);
    });
  });
}
