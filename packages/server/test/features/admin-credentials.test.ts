/**
 * What the admin API accepts as a credential, and how much of it (issue 13, "Also"): an access token whose
 * `aud` is not the admin API is refused even when it carries latchkey:admin (RFC 9068 §4); tokens with the
 * admin scope are minted for the admin API, so every documented way of getting one keeps working (a user
 * token through sign-in, client_credentials, also for a client with its own audience); a client that loses the
 * admin scope loses admin access at once; and each admin principal is limited per window (429 + Retry-After).
 */
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { adminCaller, adminRequest } from '../support/admin.ts';
import { basicAuth, json, postForm } from '../support/http.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import { signInForTokens } from '../support/sign-in.ts';
import { enrolSecondFactor } from '../support/mfa.ts';
import { createClient } from '../../src/directory/clients.ts';
import type { Tenant } from '../../src/db/queries/tenants.ts';
import { issuerFor } from '../../src/directory/tenant-directory.ts';
import { signJwt } from '../../src/tokens/jose.ts';

const LIMIT = 5;

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}

for (const dialect of DIALECTS) {
  describe(`admin API credentials and limits (${dialect})`, () => {
    let server: TestServer;
    let tenant: Tenant;
    let adminUserId: string;
    let recoveryCodes: string[];

    /** A correctly signed token of the tenant, with the admin scope, for `aud`. */
    async function tokenFor(aud: unknown, clientId: string): Promise<string> {
      const key = await server.ctx.signingKeys.activeKey(tenant.id, tenant.settings.signing_alg);
      const iat = Math.floor(Date.now() / 1000);
      return signJwt({ iss: issuerFor(server.ctx.config.baseUrl, tenant.slug), sub: adminUserId, aud: aud as string, exp: iat + 300, iat, jti: randomUUID(), client_id: clientId, scope: 'openid latchkey:admin' }, key, { typ: 'at+jwt' });
    }

    before(async () => {
      server = await startTestServer(dialect, { LATCHKEY_ADMIN_RATE_LIMIT_PER_PRINCIPAL: String(LIMIT) });
      const fixture = await createSignInFixture(server, 'acme', { client: { scopes: ['openid', 'profile', 'email', 'offline_access', 'latchkey:admin'] } });
      tenant = fixture.tenant;
      adminUserId = fixture.user.id;
      await server.ctx.db.updateTable('users').set({ admin_role: 'tenant_admin' }).where('id', '=', adminUserId).execute();
      // Admins sign in with a second factor (mfa.required_for_admins, on by default; issue 15).
      recoveryCodes = (await enrolSecondFactor(server.ctx, tenant, adminUserId)).recoveryCodes;
    });
    after(() => server.stop());

    it('refuses a token with the admin scope that was issued for another audience (401 invalid_token)', async () => {
      const { client } = await createClient(server.ctx, tenant, { name: 'product', type: 'public', redirectUris: ['http://127.0.0.1/cb'], scopes: ['openid', 'latchkey:admin'] });
      const adminAudience = `${server.ctx.config.baseUrl}/admin/v1`;
      assert.equal((await adminRequest(server, await tokenFor(adminAudience, client.clientId), 'GET', '/tenants/acme')).status, 200);
      assert.equal((await adminRequest(server, await tokenFor(['https://api.example', adminAudience], client.clientId), 'GET', '/tenants/acme')).status, 200);
      for (const aud of ['https://api.product.example', client.clientId, ['https://api.product.example'], `${adminAudience}/`]) {
        const response = await adminRequest(server, await tokenFor(aud, client.clientId), 'GET', '/tenants/acme');
        assert.equal(response.status, 401, JSON.stringify(aud));
        assert.equal(response.body.error, 'invalid_token');
        assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer realm="latchkey-admin", error="invalid_token"/);
      }
    });

    it('keeps every documented way to an admin token working: sign-in with the scope, and client_credentials', async () => {
      const fixture = { issuer: issuerFor(server.ctx.config.baseUrl, 'acme'), clientId: '', redirectUri: 'http://127.0.0.1:5999/callback' };
      const console_ = await createClient(server.ctx, tenant, { name: 'console', type: 'public', redirectUris: [fixture.redirectUri], scopes: ['openid', 'latchkey:admin'] });
      const login = (await server.ctx.db.selectFrom('users').select('email').where('id', '=', adminUserId).executeTakeFirstOrThrow()).email!;
      const { tokens } = await signInForTokens({ ...fixture, clientId: console_.client.clientId, scope: 'openid latchkey:admin', login, password: 'correct horse battery staple', recoveryCodes });
      const userToken = tokens.access_token as string;
      assert.equal(claimsOf(userToken).aud, `${server.ctx.config.baseUrl}/admin/v1`);
      assert.equal((await adminRequest(server, userToken, 'GET', '/tenants/acme')).status, 200);

      // A client with its own API audience: its product tokens name that API, its admin tokens the admin API.
      const { client, clientSecret } = await createClient(server.ctx, tenant, { name: 'agent', scopes: ['read', 'latchkey:admin'], audience: 'https://api.acme.test' });
      const auth = { authorization: basicAuth(client.clientId, clientSecret!) };
      const product = (await json(await postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', scope: 'read' }, auth))).access_token as string;
      assert.equal(claimsOf(product).aud, 'https://api.acme.test');
      assert.equal((await adminRequest(server, product, 'GET', '/tenants/acme')).status, 403, 'no admin scope');
      const admin = (await json(await postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', scope: 'latchkey:admin' }, auth))).access_token as string;
      assert.equal((await adminRequest(server, admin, 'GET', '/tenants/acme')).status, 200);

      // Taking the admin scope away ends the client's admin access before its token expires.
      await server.ctx.db.updateTable('clients').set({ scopes: JSON.stringify(['read']) }).where('client_id', '=', client.clientId).execute();
      const after = await adminRequest(server, admin, 'GET', '/tenants/acme');
      assert.equal(after.status, 401);
      assert.match(String(after.body.error_description), /no longer use the admin API/);
    });

    it('limits each admin principal per window with 429 and Retry-After, and changes nothing when over', async () => {
      const busy = await adminCaller(server, tenant, 'tenant_admin');
      const other = await adminCaller(server, tenant, 'tenant_admin');
      for (let i = 0; i < LIMIT; i++) assert.equal((await busy.call('GET', '/tenants/acme')).status, 200);
      const over = await busy.call('POST', '/tenants/acme/groups', { name: 'flood' });
      assert.equal(over.status, 429);
      assert.equal(over.body.error, 'too_many_requests');
      const retryAfter = Number(over.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
      // Another admin keeps its own allowance, and the refused call created nothing.
      const groups = await other.call('GET', '/tenants/acme/groups?name=flood');
      assert.equal(groups.status, 200);
      assert.deepEqual(groups.body.data, []);
      // An unauthenticated caller is refused before it counts against anyone.
      assert.equal((await adminRequest(server, 'not-a-token', 'GET', '/tenants/acme')).status, 401);
    });
  });
}
