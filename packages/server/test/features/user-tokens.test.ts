/**
 * What relying parties do with a signed-in user's tokens: userinfo (GET and POST, RFC 6750 errors),
 * introspection (RFC 7662, access and refresh tokens, with groups/tenant claims) and revocation (RFC 7009).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { basicAuth, json, postForm } from '../support/http.ts';
import { createSignInFixture, TEST_PASSWORD } from '../support/sign-in-fixture.ts';
import { createUser, setUserStatus } from '../../src/directory/users.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { signInForTokens } from '../support/sign-in.ts';
import { createClient } from '../../src/directory/clients.ts';

for (const dialect of DIALECTS) {
  describe(`userinfo, introspection and revocation (${dialect})`, () => {
    let server: TestServer;
    let acme: SignInFixture;
    let tokens: Record<string, unknown>;

    before(async () => {
      server = await startTestServer(dialect);
      acme = await createSignInFixture(server, 'acme');
      // Seed 003: a role through a group (rows written directly: this test is about introspection, not the directory).
      const now = Date.now();
      const db = server.ctx.db;
      await db.insertInto('groups').values({ id: 'grp_staff', tenant_id: acme.tenant.id, name: 'staff', description: null, created_at: now, updated_at: now }).execute();
      await db.insertInto('group_members').values({ group_id: 'grp_staff', user_id: acme.user.id, created_at: now }).execute();
      await db.insertInto('roles').values({ id: 'rol_dev', tenant_id: acme.tenant.id, name: 'developer', description: null, permissions: JSON.stringify(['mail.send', 'stats.read']), created_at: now, updated_at: now }).execute();
      await db.insertInto('group_roles').values({ group_id: 'grp_staff', role_id: 'rol_dev', created_at: now }).execute();
      tokens = (await signInForTokens({ ...acme, scope: 'openid profile email offline_access' })).tokens;
    });
    after(() => server.stop());

    function introspect(token: string, extra: Record<string, string> = {}, auth: { clientId: string; clientSecret: string } = acme): Promise<Response> {
      return postForm(`${acme.issuer}/oauth2/introspect`, { token, ...extra }, { authorization: basicAuth(auth.clientId, auth.clientSecret) });
    }

    it('userinfo answers GET with a bearer header and POST with a form body, claims by scope', async () => {
      // Plus the directory claims the client's token_claims names (issue 4), as they are now.
      const expected = { sub: acme.user.id, name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace', preferred_username: 'ada-acme', email: acme.login, email_verified: false, groups: ['staff'], tenant_id: acme.tenant.id };
      const viaGet = await fetch(`${acme.issuer}/oauth2/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}`, origin: 'https://app.example' } });
      assert.equal(viaGet.status, 200);
      assert.equal(viaGet.headers.get('access-control-allow-origin'), '*');
      const body = await json(viaGet);
      assert.equal(typeof body.updated_at, 'number');
      delete body.updated_at;
      assert.deepEqual(body, expected);
      const viaPost = await postForm(`${acme.issuer}/oauth2/userinfo`, { access_token: tokens.access_token as string });
      assert.equal(viaPost.status, 200);
      assert.equal((await json(viaPost)).sub, acme.user.id);
    });

    it('access tokens carry email and preferred_username only with the email and profile scopes (issue 13, 5)', async () => {
      const bare = decodeJwt((await signInForTokens({ ...acme, scope: 'openid' })).tokens.access_token as string);
      assert.equal(bare.email, undefined, 'email needs the email scope');
      assert.equal(bare.preferred_username, undefined, 'preferred_username needs the profile scope');
      assert.equal(bare.tenant_id, acme.tenant.id, "the client's token_claims stay");
      const withEmail = decodeJwt((await signInForTokens({ ...acme, scope: 'openid email' })).tokens.access_token as string);
      assert.equal(withEmail.email, acme.login);
      assert.equal(withEmail.preferred_username, undefined);
      const full = decodeJwt(tokens.access_token as string);
      assert.equal(full.email, acme.login);
      assert.equal(full.preferred_username, 'ada-acme');
    });

    it('userinfo refuses with RFC 6750 errors and WWW-Authenticate', async () => {
      const none = await fetch(`${acme.issuer}/oauth2/userinfo`);
      assert.equal(none.status, 401);
      assert.equal(none.headers.get('www-authenticate'), `Bearer realm="${acme.issuer}"`);
      const bad = await fetch(`${acme.issuer}/oauth2/userinfo`, { headers: { authorization: 'Bearer not.a.token' } });
      assert.equal(bad.status, 401);
      assert.match(bad.headers.get('www-authenticate') ?? '', /^Bearer realm="[^"]+", error="invalid_token"/);
      assert.equal((await json(bad)).error, 'invalid_token');
      const twice = await postForm(`${acme.issuer}/oauth2/userinfo`, { access_token: tokens.access_token as string }, { authorization: `Bearer ${tokens.access_token}` });
      assert.equal(twice.status, 400);
      assert.match(twice.headers.get('www-authenticate') ?? '', /error="invalid_request"/);
      const withoutOpenid = (await signInForTokens({ ...acme, scope: 'profile' })).tokens;
      const insufficient = await fetch(`${acme.issuer}/oauth2/userinfo`, { headers: { authorization: `Bearer ${withoutOpenid.access_token}` } });
      assert.equal(insufficient.status, 403);
      assert.match(insufficient.headers.get('www-authenticate') ?? '', /error="insufficient_scope".*scope="openid"/);
    });

    it('introspects access and refresh tokens with the principal claims; anything else is inactive', async () => {
      const access = await json(await introspect(tokens.access_token as string));
      assert.equal(access.active, true);
      assert.equal(access.sub, acme.user.id);
      assert.equal(access.client_id, acme.clientId);
      assert.equal(access.token_type, 'Bearer');
      assert.equal(access.tenant_id, acme.tenant.id);
      // Present whatever the client's token_claims (default: groups, tenant_id) put in the token itself.
      assert.equal(access.tenant_slug, 'acme');
      assert.deepEqual(access.groups, ['staff']);
      assert.deepEqual(access.roles, ['developer']);
      assert.deepEqual(access.permissions, ['mail.send', 'stats.read']);
      assert.equal(access.scope, 'openid profile email offline_access');
      const refresh = await json(await introspect(tokens.refresh_token as string, { token_type_hint: 'refresh_token' }));
      assert.equal(refresh.active, true);
      assert.equal(refresh.token_type, 'refresh_token');
      assert.equal(refresh.sub, acme.user.id);
      assert.equal(refresh.tenant_id, acme.tenant.id);
      assert.deepEqual(refresh.roles, ['developer']);
      assert.deepEqual(refresh.permissions, ['mail.send', 'stats.read']);
      for (const token of ['nope', 'a.b.c', tokens.id_token as string]) assert.deepEqual(await json(await introspect(token)), { active: false });
    });

    it('introspection needs an authenticated confidential client of the tenant', async () => {
      const anonymous = await postForm(`${acme.issuer}/oauth2/introspect`, { token: tokens.access_token as string });
      assert.equal(anonymous.status, 401);
      const spa = await createClient(server.ctx, acme.tenant, { name: 'spa', type: 'public', redirectUris: [acme.redirectUri] });
      const publicClient = await postForm(`${acme.issuer}/oauth2/introspect`, { token: tokens.access_token as string, client_id: spa.client.clientId });
      assert.equal(publicClient.status, 401);
      const wrongSecret = await introspect(tokens.access_token as string, {}, { clientId: acme.clientId, clientSecret: 'wrong' });
      assert.equal(wrongSecret.status, 401);
    });

    it('revokes an access token (introspection and userinfo stop accepting it) and answers 200 for unknown tokens', async () => {
      const fresh = (await signInForTokens({ ...acme, scope: 'openid' })).tokens;
      const revoke = (token: string, extra: Record<string, string> = {}) => postForm(`${acme.issuer}/oauth2/revoke`, { token, ...extra }, { authorization: basicAuth(acme.clientId, acme.clientSecret) });
      const response = await revoke(fresh.access_token as string, { token_type_hint: 'access_token' });
      assert.equal(response.status, 200);
      assert.deepEqual(await json(await introspect(fresh.access_token as string)), { active: false });
      assert.equal((await fetch(`${acme.issuer}/oauth2/userinfo`, { headers: { authorization: `Bearer ${fresh.access_token}` } })).status, 401);
      assert.equal((await json(await introspect(fresh.refresh_token as string))).active, true, 'revoking an access token leaves the refresh token');
      assert.equal((await revoke('unknown-token')).status, 200);
      assert.equal((await revoke(fresh.access_token as string)).status, 200, 'revoking twice is fine');
    });

    it('revoking a refresh token revokes its family; another client cannot revoke it', async () => {
      const fresh = (await signInForTokens({ ...acme, scope: 'openid offline_access' })).tokens;
      const other = await createClient(server.ctx, acme.tenant, { name: 'other', redirectUris: [acme.redirectUri] });
      const foreign = await postForm(`${acme.issuer}/oauth2/revoke`, { token: fresh.refresh_token as string, client_id: other.client.clientId, client_secret: other.clientSecret! });
      assert.equal(foreign.status, 400);
      assert.equal((await json(foreign)).error, 'unauthorized_client');
      assert.equal((await json(await introspect(fresh.refresh_token as string))).active, true);
      const revoked = await postForm(`${acme.issuer}/oauth2/revoke`, { token: fresh.refresh_token as string, client_id: acme.clientId, client_secret: acme.clientSecret });
      assert.equal(revoked.status, 200);
      assert.deepEqual(await json(await introspect(fresh.refresh_token as string)), { active: false });
      assert.deepEqual(await json(await introspect(fresh.access_token as string)), { active: false });
      const refresh = await postForm(`${acme.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: fresh.refresh_token as string, client_id: acme.clientId, client_secret: acme.clientSecret });
      assert.equal(refresh.status, 400);
    });

    it('stops accepting every token of a user who is disabled', async () => {
      const bo = await createUser(server.ctx, acme.tenant, { email: 'bo@acme.example', password: TEST_PASSWORD });
      const own = (await signInForTokens({ ...acme, login: 'bo@acme.example', password: TEST_PASSWORD, scope: 'openid offline_access' })).tokens;
      assert.equal((await json(await introspect(own.access_token as string))).active, true);
      await setUserStatus(server.ctx, bo, 'disabled');
      assert.deepEqual(await json(await introspect(own.access_token as string)), { active: false });
      assert.deepEqual(await json(await introspect(own.refresh_token as string)), { active: false });
      assert.equal((await fetch(`${acme.issuer}/oauth2/userinfo`, { headers: { authorization: `Bearer ${own.access_token}` } })).status, 401);
      const refresh = await postForm(`${acme.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: own.refresh_token as string, client_id: acme.clientId, client_secret: acme.clientSecret });
      assert.equal((await json(refresh)).error, 'invalid_grant');
    });

    it('publishes the endpoints in discovery', async () => {
      const metadata = await json(await fetch(`${acme.issuer}/.well-known/openid-configuration`));
      assert.equal(metadata.authorization_endpoint, `${acme.issuer}/oauth2/authorize`);
      assert.equal(metadata.userinfo_endpoint, `${acme.issuer}/oauth2/userinfo`);
      assert.equal(metadata.introspection_endpoint, `${acme.issuer}/oauth2/introspect`);
      assert.equal(metadata.revocation_endpoint, `${acme.issuer}/oauth2/revoke`);
      assert.equal(metadata.end_session_endpoint, `${acme.issuer}/oauth2/logout`);
      assert.equal(metadata.authorization_response_iss_parameter_supported, true);
      assert.deepEqual(metadata.response_modes_supported, ['query', 'form_post']);
      assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    });
  });
}
