/**
 * The admin API's change paths (issue 22), each checked by what the protocol does afterwards, not only by the
 * echo: PATCH/DELETE of clients (redirect URIs, post-logout URIs, scopes, audience) and users (password reset,
 * email change, duplicate email, delete), the signing-key routes with the tenant's algorithm allow-list, a
 * group's member list, and the CORS preflight of the browser-facing protocol endpoints. Every caller acts as
 * super_admin or tenant_admin on principals it made itself.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { adminCaller } from '../support/admin.ts';
import type { AdminCaller } from '../support/admin.ts';
import { json, postForm } from '../support/http.ts';
import { createSignInFixture, TEST_PASSWORD } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { CookieJar, SignInStopped, authorizationUrl, createPkce, fetchWithJar, signIn, signInForTokens } from '../support/sign-in.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { setUserStatus } from '../../src/directory/users.ts';

const PASSWORD_GRANT = { grantTypes: ['authorization_code', 'refresh_token', 'password'] };

for (const dialect of DIALECTS) {
  describe(`admin API change paths (${dialect})`, () => {
    let server: TestServer;
    let root: AdminCaller;
    let admin: AdminCaller;
    let acme: SignInFixture;

    before(async () => {
      server = await startTestServer(dialect);
      root = await adminCaller(server, await createTenant(server.ctx, { slug: 'ops' }), 'super_admin');
      acme = await createSignInFixture(server, 'acme', { client: PASSWORD_GRANT, settings: { features: { auth: { password_grant_enabled: true } } } });
      admin = await adminCaller(server, acme.tenant, 'tenant_admin');
    });
    after(() => server.stop());

    function passwordGrant(username: string, password: string): Promise<Response> {
      return postForm(`${acme.issuer}/oauth2/token`, { grant_type: 'password', username, password, client_id: acme.clientId, client_secret: acme.clientSecret, scope: 'openid' });
    }

    async function newClient(caller: AdminCaller, body: Record<string, unknown>): Promise<{ client_id: string; client_secret?: string }> {
      const created = await caller.call('POST', '/tenants/acme/clients', body);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body as { client_id: string; client_secret?: string };
    }

    function clientCredentials(client: { client_id: string; client_secret?: string }, scope?: string): Promise<Response> {
      return postForm(`${acme.issuer}/oauth2/token`, { grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret!, ...(scope ? { scope } : {}) });
    }

    it('PATCH of a client redirect_uris: the new URI is accepted at /authorize, the old one refused', async () => {
      const app = await newClient(admin, { name: 'web', grant_types: ['authorization_code', 'refresh_token'], redirect_uris: ['http://127.0.0.1:5999/old'] });
      const patched = await admin.call('PATCH', `/tenants/acme/clients/${app.client_id}`, { redirect_uris: ['http://127.0.0.1:5999/new'] });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.deepEqual(patched.body.redirect_uris, ['http://127.0.0.1:5999/new']);
      assert.deepEqual((await admin.call('GET', `/tenants/acme/clients/${app.client_id}`)).body.redirect_uris, ['http://127.0.0.1:5999/new']);
      const authorize = (redirectUri: string) => fetchWithJar(new CookieJar(), authorizationUrl({ issuer: acme.issuer, clientId: app.client_id, redirectUri, scope: 'openid' }, createPkce(), 's', 'n'));
      const old = await authorize('http://127.0.0.1:5999/old');
      assert.equal(old.status, 400);
      assert.equal(old.headers.get('location'), null);
      const fresh = await authorize('http://127.0.0.1:5999/new');
      assert.equal(fresh.status, 303);
      assert.match(fresh.headers.get('location')!, /\/t\/acme\/login\?/);
      const bad = await admin.call('PATCH', `/tenants/acme/clients/${app.client_id}`, { redirect_uris: ['http://127.0.0.1:5999/x#fragment'] });
      assert.equal(bad.status, 400);
      assert.deepEqual((await admin.call('GET', `/tenants/acme/clients/${app.client_id}`)).body.redirect_uris, ['http://127.0.0.1:5999/new'], 'a refused change changes nothing');
    });

    it('PATCH of a client post_logout_redirect_uris: logout redirects to the new URI only', async () => {
      const patched = await admin.call('PATCH', `/tenants/acme/clients/${acme.clientId}`, { post_logout_redirect_uris: ['http://127.0.0.1:5999/bye'] });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      try {
        const { tokens, result } = await signInForTokens({ ...acme, scope: 'openid' });
        const logout = (uri: string) => fetchWithJar(result.jar, `${acme.issuer}/oauth2/logout?${new URLSearchParams({ id_token_hint: tokens.id_token as string, post_logout_redirect_uri: uri })}`);
        const old = await logout(acme.postLogoutRedirectUri);
        assert.equal(old.status, 400);
        const fresh = await logout('http://127.0.0.1:5999/bye');
        assert.equal(fresh.status, 303);
        assert.equal(fresh.headers.get('location'), 'http://127.0.0.1:5999/bye');
      } finally {
        await admin.call('PATCH', `/tenants/acme/clients/${acme.clientId}`, { post_logout_redirect_uris: [acme.postLogoutRedirectUri] });
      }
    });

    it('PATCH of a client scopes and audience: tokens follow, a scope taken away is refused', async () => {
      const machine = await newClient(admin, { name: 'machine', scopes: ['api:read', 'api:write'], audience: 'https://api.acme.example' });
      const before = await json(await clientCredentials(machine, 'api:write'));
      assert.equal(before.scope, 'api:write');
      assert.equal(decodeJwt(before.access_token as string).aud, 'https://api.acme.example');
      const patched = await admin.call('PATCH', `/tenants/acme/clients/${machine.client_id}`, { scopes: ['api:read'], audience: 'https://mail.acme.example' });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.deepEqual(patched.body.scopes, ['api:read']);
      assert.equal(patched.body.audience, 'https://mail.acme.example');
      const refused = await clientCredentials(machine, 'api:write');
      assert.equal(refused.status, 400);
      assert.equal((await json(refused)).error, 'invalid_scope');
      const after = await json(await clientCredentials(machine));
      assert.equal(after.scope, 'api:read');
      assert.equal(decodeJwt(after.access_token as string).aud, 'https://mail.acme.example');
    });

    it('DELETE of a client: its credentials stop working, it and its service account are gone, a second DELETE is 404', async () => {
      const machine = await newClient(admin, { name: 'doomed' });
      const read = await admin.call('GET', `/tenants/acme/clients/${machine.client_id}`);
      const serviceAccount = String(read.body.service_account_id);
      assert.equal((await clientCredentials(machine)).status, 200);
      assert.equal((await admin.call('DELETE', `/tenants/acme/clients/${machine.client_id}`)).status, 204);
      const refused = await clientCredentials(machine);
      assert.equal(refused.status, 401);
      assert.equal((await json(refused)).error, 'invalid_client');
      assert.equal((await admin.call('GET', `/tenants/acme/clients/${machine.client_id}`)).status, 404);
      assert.equal((await admin.call('GET', `/tenants/acme/users/${serviceAccount}`)).status, 404);
      assert.equal((await admin.call('DELETE', `/tenants/acme/clients/${machine.client_id}`)).status, 404);
    });

    it('PATCH of a user password: the new password signs in, the old one no longer does', async () => {
      const created = await admin.call('POST', '/tenants/acme/users', { email: 'reset@acme.example', password: TEST_PASSWORD });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal((await passwordGrant('reset@acme.example', TEST_PASSWORD)).status, 200);
      const patched = await admin.call('PATCH', `/tenants/acme/users/${created.body.id}`, { password: 'a brand new passphrase' });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(patched.body.password, undefined, 'the password is never echoed');
      assert.equal(patched.body.has_password, true);
      assert.equal((await json(await passwordGrant('reset@acme.example', TEST_PASSWORD))).error, 'invalid_grant');
      assert.equal((await passwordGrant('reset@acme.example', 'a brand new passphrase')).status, 200);
      assert.equal((await admin.call('PATCH', `/tenants/acme/users/${created.body.id}`, { password: 'short' })).status, 400);
      assert.equal((await passwordGrant('reset@acme.example', 'a brand new passphrase')).status, 200, 'a refused reset changes nothing');
    });

    it('PATCH of a user email: signs in under the new email only; a duplicate email is 409 and changes nothing', async () => {
      const first = await admin.call('POST', '/tenants/acme/users', { email: 'first@acme.example', password: TEST_PASSWORD });
      const second = await admin.call('POST', '/tenants/acme/users', { email: 'second@acme.example', password: TEST_PASSWORD });
      const moved = await admin.call('PATCH', `/tenants/acme/users/${first.body.id}`, { email: 'moved@acme.example' });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      assert.equal(moved.body.email, 'moved@acme.example');
      assert.equal((await passwordGrant('moved@acme.example', TEST_PASSWORD)).status, 200);
      assert.equal((await json(await passwordGrant('first@acme.example', TEST_PASSWORD))).error, 'invalid_grant');
      const duplicate = await admin.call('PATCH', `/tenants/acme/users/${second.body.id}`, { email: 'moved@acme.example' });
      assert.equal(duplicate.status, 409);
      assert.equal(duplicate.body.error, 'conflict');
      assert.equal((await admin.call('GET', `/tenants/acme/users/${second.body.id}`)).body.email, 'second@acme.example');
      const duplicateCreate = await admin.call('POST', '/tenants/acme/users', { email: 'moved@acme.example' });
      assert.equal(duplicateCreate.status, 409);
      const listed = await admin.call('GET', '/tenants/acme/users?email=moved@acme.example');
      assert.equal((listed.body.data as unknown[]).length, 1);
    });

    it('DELETE of a user: sign-in and their refresh token stop working, the user is gone, a second DELETE is 404', async () => {
      const created = await admin.call('POST', '/tenants/acme/users', { email: 'leaving@acme.example', password: TEST_PASSWORD });
      const { tokens } = await signInForTokens({ ...acme, login: 'leaving@acme.example', password: TEST_PASSWORD, scope: 'openid offline_access' });
      assert.equal((await admin.call('DELETE', `/tenants/acme/users/${created.body.id}`)).status, 204);
      assert.equal((await admin.call('GET', `/tenants/acme/users/${created.body.id}`)).status, 404);
      assert.equal((await json(await passwordGrant('leaving@acme.example', TEST_PASSWORD))).error, 'invalid_grant');
      const refresh = await postForm(`${acme.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string, client_id: acme.clientId, client_secret: acme.clientSecret });
      assert.equal(refresh.status, 400);
      await assert.rejects(signIn({ ...acme, login: 'leaving@acme.example', password: TEST_PASSWORD, scope: 'openid' }), SignInStopped);
      assert.equal((await admin.call('DELETE', `/tenants/acme/users/${created.body.id}`)).status, 404);
    });

    it('lists a group members (direct members only, service accounts too), and follows removals', async () => {
      const group = await admin.call('POST', '/tenants/acme/groups', { name: 'listed group' });
      const inner = await admin.call('POST', '/tenants/acme/groups', { name: 'listed inner group' });
      const ada = await admin.call('POST', '/tenants/acme/users', { email: 'member-ada@acme.example' });
      const bo = await admin.call('POST', '/tenants/acme/users', { email: 'member-bo@acme.example' });
      const nested = await admin.call('POST', '/tenants/acme/users', { email: 'member-nested@acme.example' });
      const bot = await newClient(admin, { name: 'member bot' });
      const botUser = String((await admin.call('GET', `/tenants/acme/clients/${bot.client_id}`)).body.service_account_id);
      for (const userId of [ada.body.id, bo.body.id, botUser]) assert.equal((await admin.call('PUT', `/tenants/acme/groups/${group.body.id}/members/${userId}`)).status, 204);
      assert.equal((await admin.call('PUT', `/tenants/acme/groups/${inner.body.id}/parents/${group.body.id}`)).status, 204);
      assert.equal((await admin.call('PUT', `/tenants/acme/groups/${inner.body.id}/members/${nested.body.id}`)).status, 204);
      const members = async () => {
        const listed = await admin.call('GET', `/tenants/acme/groups/${group.body.id}/members`);
        assert.equal(listed.status, 200);
        return (listed.body.data as Array<{ id: string }>).map((u) => u.id).sort();
      };
      assert.deepEqual(await members(), [ada.body.id, bo.body.id, botUser].sort(), 'direct members, not the nested group members');
      assert.equal((await admin.call('DELETE', `/tenants/acme/groups/${group.body.id}/members/${bo.body.id}`)).status, 204);
      assert.deepEqual(await members(), [ada.body.id, botUser].sort());
      const paged = await admin.call('GET', `/tenants/acme/groups/${group.body.id}/members?limit=1`);
      assert.equal((paged.body.data as unknown[]).length, 1);
      assert.equal((await admin.call('GET', '/tenants/acme/groups/grp_no_such_group/members')).status, 404);
    });

    it('signing keys: the list shows public parts only; a rotation to an allowed algorithm signs new tokens, one outside the allow-list is refused', async () => {
      const tenant = await root.call('POST', '/tenants', { slug: 'keys', name: 'Keys' });
      assert.equal(tenant.status, 201, JSON.stringify(tenant.body));
      const patched = await root.call('PATCH', '/tenants/keys', { settings: { allowed_signing_algs: ['RS256', 'ES256'] } });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      const keysAdmin = await adminCaller(server, (await server.ctx.tenants.bySlug('keys'))!, 'tenant_admin');
      const machine = await keysAdmin.call('POST', '/tenants/keys/clients', { name: 'keys machine' });
      const token = async () => String((await json(await postForm(`${server.url}/t/keys/oauth2/token`, { grant_type: 'client_credentials', client_id: String(machine.body.client_id), client_secret: String(machine.body.client_secret) }))).access_token);
      const signedBefore = decodeProtectedHeader(await token());
      assert.equal(signedBefore.alg, 'RS256');

      const listed = await keysAdmin.call('GET', '/tenants/keys/signing-keys');
      assert.equal(listed.status, 200);
      const keys = listed.body.data as Array<{ kid: string; alg: string; public_jwk: Record<string, unknown> }>;
      assert.ok(keys.some((k) => k.kid === signedBefore.kid));
      for (const key of keys) for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(key.public_jwk[secret], undefined, `no private part ${secret}`);

      const refused = await keysAdmin.call('POST', '/tenants/keys/signing-keys/rotate', { alg: 'EdDSA', activate_in: 0 });
      assert.equal(refused.status, 400);
      assert.match(String(refused.body.error_description), /does not allow EdDSA/);
      assert.equal(((await keysAdmin.call('GET', '/tenants/keys/signing-keys')).body.data as unknown[]).length, keys.length, 'a refused rotation adds no key');
      assert.equal((await keysAdmin.call('POST', '/tenants/keys/signing-keys/rotate', { alg: 'HS256', activate_in: 0 })).status, 400);

      const rotated = await keysAdmin.call('POST', '/tenants/keys/signing-keys/rotate', { alg: 'ES256', activate_in: 0 });
      assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
      assert.equal(rotated.body.alg, 'ES256');
      const jwks = (await (await fetch(`${server.url}/t/keys/jwks`)).json()) as { keys: Array<{ kid: string }> };
      assert.ok(jwks.keys.some((k) => k.kid === rotated.body.kid), 'the new key is published');
      assert.ok(jwks.keys.some((k) => k.kid === signedBefore.kid), 'the old key stays published for its tokens');
      // Tokens are signed with the tenant's signing_alg (RS256): a rotation without alg replaces that key.
      const rs256 = await keysAdmin.call('POST', '/tenants/keys/signing-keys/rotate', { activate_in: 0 });
      assert.equal(rs256.status, 200, JSON.stringify(rs256.body));
      assert.equal(rs256.body.alg, 'RS256');
      const signedAfter = decodeProtectedHeader(await token());
      assert.deepEqual([signedAfter.alg, signedAfter.kid], ['RS256', rs256.body.kid]);
      const audit = await server.ctx.db.selectFrom('audit_events').select('target_id').where('action', '=', 'signing_key.rotate').where('tenant_id', '=', String(tenant.body.id)).execute();
      assert.deepEqual(audit.map((e) => e.target_id).sort(), [rotated.body.kid, rs256.body.kid].sort(), 'the refused rotations left no rotation record');
    });

    it("refuses a disabled admin's still-valid token at once, with a Bearer challenge", async () => {
      const leaving = await adminCaller(server, acme.tenant, 'tenant_admin');
      assert.equal((await leaving.call('GET', '/tenants/acme/users')).status, 200);
      await setUserStatus(server.ctx, { id: leaving.userId }, 'disabled');
      const refused = await leaving.call('GET', '/tenants/acme/users');
      assert.equal(refused.status, 401);
      assert.match(refused.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    });

    it('answers the CORS preflight of the browser-facing protocol endpoints, and gives hosted pages no CORS headers', async () => {
      for (const path of ['/t/acme/oauth2/token', '/t/acme/oauth2/userinfo', '/t/acme/oauth2/revoke', '/t/acme/jwks', '/t/acme/.well-known/openid-configuration']) {
        const preflight = await fetch(`${server.url}${path}`, { method: 'OPTIONS', headers: { origin: 'https://spa.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
        assert.equal(preflight.status, 204, path);
        assert.equal(preflight.headers.get('access-control-allow-origin'), '*', path);
        assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/, path);
        assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/i, path);
        assert.equal(preflight.headers.get('access-control-allow-credentials'), null, `${path}: never with cookies`);
      }
      const token = await fetch(`${acme.issuer}/oauth2/token`, { method: 'POST', headers: { origin: 'https://spa.example', 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
      assert.equal(token.headers.get('access-control-allow-origin'), '*');
      assert.match(token.headers.get('access-control-expose-headers') ?? '', /WWW-Authenticate/);
      // Hosted pages work with cookies: never readable cross-origin, and never with credentials.
      const page = await fetch(`${acme.issuer}/login?interaction=x`, { headers: { origin: 'https://evil.example' } });
      assert.equal(page.headers.get('access-control-allow-origin'), null, 'hosted pages are never readable cross-origin');
      const pagePreflight = await fetch(`${acme.issuer}/login`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      assert.equal(pagePreflight.headers.get('access-control-allow-credentials'), null);
    });
  });
}
