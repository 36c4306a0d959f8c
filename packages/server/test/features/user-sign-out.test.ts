/**
 * Ending a user's sessions and grants (issue 13, 6): a password set by an admin (API or CLI) signs the user out
 * everywhere, since the old password may be what an attacker holds; an admin can also sign a user out on its
 * own (`POST /tenants/{tenant}/users/{id}/sign-out`, `latchkey user sign-out`), audited, downward only.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer, TEST_SECRET } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { adminCaller } from '../support/admin.ts';
import type { AdminCaller } from '../support/admin.ts';
import { basicAuth, json, postForm } from '../support/http.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { signIn, signInForTokens } from '../support/sign-in.ts';
import type { CookieJar } from '../support/sign-in.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { runCli } from '../../src/cli/main.ts';

for (const dialect of DIALECTS) {
  describe(`signing a user out everywhere (${dialect})`, () => {
    let server: TestServer;
    let acme: SignInFixture;
    let superAdmin: AdminCaller;
    let tenantAdmin: AdminCaller;

    before(async () => {
      server = await startTestServer(dialect);
      acme = await createSignInFixture(server, 'acme');
      superAdmin = await adminCaller(server, await createTenant(server.ctx, { slug: 'ops' }), 'super_admin');
      tenantAdmin = await adminCaller(server, acme.tenant, 'tenant_admin');
    });
    after(() => server.stop());

    /** A browser session (the jar) and a grant's tokens: one with offline_access, so it outlives the session. */
    async function signedIn(): Promise<{ jar: CookieJar; tokens: Record<string, unknown> }> {
      const { tokens, result } = await signInForTokens({ ...acme, scope: 'openid offline_access' });
      return { jar: result.jar, tokens };
    }

    function introspect(token: string): Promise<Record<string, unknown>> {
      return postForm(`${acme.issuer}/oauth2/introspect`, { token }, { authorization: basicAuth(acme.clientId, acme.clientSecret) }).then(json);
    }

    /** What is left of a sign-in: SSO through the cookie, the refresh token, the access token. */
    async function whatIsLeft(state: { jar: CookieJar; tokens: Record<string, unknown> }): Promise<{ sso: boolean; refresh: boolean; access: boolean }> {
      const silent = await signIn({ ...acme, scope: 'openid', jar: state.jar, extra: { prompt: 'none' } });
      const access = (await introspect(state.tokens.access_token as string)).active === true;
      const refreshed = await postForm(`${acme.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: state.tokens.refresh_token as string, client_id: acme.clientId, client_secret: acme.clientSecret });
      return { sso: silent.code !== undefined, refresh: refreshed.status === 200, access };
    }

    const nothing = { sso: false, refresh: false, access: false };

    it('a password set through the admin API ends every session and grant of the user', async () => {
      const first = await signedIn();
      const second = await signedIn();
      const changed = await tenantAdmin.call('PATCH', `/tenants/acme/users/${acme.user.id}`, { password: 'a brand new password' });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.deepEqual(await whatIsLeft(first), nothing);
      assert.deepEqual(await whatIsLeft(second), nothing);
      const events = await superAdmin.call('GET', `/audit-events?action=user.update&target_id=${acme.user.id}`);
      const details = (events.body.data as Array<{ details: Record<string, unknown> }>)[0]!.details;
      assert.deepEqual(details.signed_out, { sessions: 2, grants: 2 });
      acme = { ...acme, password: 'a brand new password' };
    });

    it('a profile change without a password leaves the user signed in', async () => {
      const state = await signedIn();
      assert.equal((await tenantAdmin.call('PATCH', `/tenants/acme/users/${acme.user.id}`, { first_name: 'Augusta' })).status, 200);
      const left = await whatIsLeft(state);
      assert.deepEqual(left, { sso: true, refresh: true, access: true });
    });

    it('POST …/users/{id}/sign-out ends them on demand, audited, and answers what it ended', async () => {
      const state = await signedIn();
      const response = await tenantAdmin.call('POST', `/tenants/acme/users/${acme.user.id}/sign-out`);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.ok((response.body.sessions_ended as number) >= 1);
      assert.ok((response.body.grants_revoked as number) >= 1);
      assert.deepEqual(await whatIsLeft(state), nothing);
      const again = await tenantAdmin.call('POST', `/tenants/acme/users/${acme.user.id}/sign-out`);
      assert.deepEqual(again.body, { sessions_ended: 0, grants_revoked: 0 });
      const events = await superAdmin.call('GET', `/audit-events?action=user.sign_out&target_id=${acme.user.id}`);
      assert.equal((events.body.data as unknown[]).length, 2);
    });

    it('refuses unknown users, other tenants and a tenant_admin acting on a super_admin, changing nothing', async () => {
      assert.equal((await tenantAdmin.call('POST', '/tenants/acme/users/usr_nope/sign-out')).status, 404);
      assert.equal((await tenantAdmin.call('POST', `/tenants/ops/users/${superAdmin.userId}/sign-out`)).status, 404, 'another tenant is not even there');
      const boss = await adminCaller(server, acme.tenant, 'super_admin');
      const state = await signedIn();
      const refused = await tenantAdmin.call('POST', `/tenants/acme/users/${boss.userId}/sign-out`);
      assert.equal(refused.status, 403);
      assert.deepEqual(await whatIsLeft(state), { sso: true, refresh: true, access: true });
      assert.equal((await boss.call('POST', `/tenants/acme/users/${acme.user.id}/sign-out`)).status, 200);
    });

    it('is in the OpenAPI document', async () => {
      const document = await json(await fetch(`${server.url}/admin/v1/openapi.json`));
      const operation = (document.paths as Record<string, Record<string, { operationId: string }>>)['/tenants/{tenant}/users/{userId}/sign-out']?.post;
      assert.equal(operation?.operationId, 'signOutUser');
    });

    it('latchkey user set-password and user sign-out end them too, audited as the CLI', async () => {
      const env = { LATCHKEY_DATABASE_URL: server.ctx.config.databaseUrl, LATCHKEY_DATA_DIR: server.ctx.config.dataDir, LATCHKEY_SECRET: TEST_SECRET, LATCHKEY_LOG_LEVEL: 'silent' };
      const cli = async (...argv: string[]) => {
        let stdout = '';
        let stderr = '';
        const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, env);
        return { code, stdout, stderr };
      };
      const before = await signedIn();
      const set = await cli('user', 'set-password', '--tenant', 'acme', acme.login, '--password', 'the newest password');
      assert.equal(set.code, 0, set.stderr);
      assert.deepEqual(await whatIsLeft(before), nothing);
      acme = { ...acme, password: 'the newest password' };

      const state = await signedIn();
      const out = await cli('user', 'sign-out', '--tenant', 'acme', acme.login, '--json');
      assert.equal(out.code, 0, out.stderr);
      assert.deepEqual(JSON.parse(out.stdout), { sessions_ended: 1, grants_revoked: 1 });
      assert.deepEqual(await whatIsLeft(state), nothing);
      const events = await superAdmin.call('GET', `/audit-events?action=user.sign_out&target_id=${acme.user.id}`);
      assert.equal((events.body.data as Array<{ actor_type: string }>).filter((e) => e.actor_type === 'cli').length, 1);
      assert.equal((await cli('user', 'sign-out', '--tenant', 'acme', 'nobody@acme.example')).code, 2);
    });
  });
}
