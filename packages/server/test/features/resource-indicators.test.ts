/**
 * API resources and RFC 8707 resource indicators (issue 20, items 1 and 2): resources managed through the admin
 * API, tokens for a resource from the code, refresh and client_credentials grants carry aud = the resource and
 * only its scopes; an unknown or ungranted resource is invalid_target; without `resource`, seed 000 holds.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { adminCaller } from '../support/admin.ts';
import type { AdminCaller } from '../support/admin.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { signIn } from '../support/sign-in.ts';
import { json, postForm } from '../support/http.ts';
import { createClient } from '../../src/directory/clients.ts';

const MAIL_API = 'https://mail.example.com/api';
const CALENDAR_API = 'https://calendar.example.com/';

for (const dialect of DIALECTS) {
  describe(`API resources and resource indicators (${dialect})`, () => {
    let server: TestServer;
    let fixture: SignInFixture;
    let admin: AdminCaller;
    let mailId: string;
    let machine: { clientId: string; clientSecret: string };

    before(async () => {
      server = await startTestServer(dialect);
      fixture = await createSignInFixture(server, 'acme', { client: { scopes: ['openid', 'profile', 'email', 'offline_access'] } });
      admin = await adminCaller(server, fixture.tenant, 'tenant_admin');
      const created = await createClient(server.ctx, fixture.tenant, { name: 'worker', scopes: ['openid'] });
      machine = { clientId: created.client.clientId, clientSecret: created.clientSecret! };
    });
    after(() => server.stop());

    it('creates, reads and lists API resources through the admin API, with audit events', async () => {
      const created = await admin.call('POST', '/tenants/acme/resources', { identifier: MAIL_API, name: 'Mail API', scopes: ['mail.read', 'mail.send'], token_lifetime: 300 });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      mailId = created.body.id as string;
      assert.equal(created.body.all_clients, false);
      const duplicate = await admin.call('POST', '/tenants/acme/resources', { identifier: MAIL_API });
      assert.equal(duplicate.status, 409);
      for (const identifier of ['not a uri', 'https://x.example/#frag', 'ftp://x.example/']) {
        const bad = await admin.call('POST', '/tenants/acme/resources', { identifier });
        assert.equal(bad.status, 400, identifier);
      }
      const calendar = await admin.call('POST', '/tenants/acme/resources', { identifier: CALENDAR_API, scopes: ['calendar.read'], all_clients: true, signing_alg: 'RS256' });
      assert.equal(calendar.status, 201);
      const strict = await admin.call('POST', '/tenants/acme/resources', { identifier: 'urn:example:ec-only', scopes: ['x'], all_clients: true, signing_alg: 'ES256' });
      assert.equal(strict.status, 201);
      const list = await admin.call('GET', '/tenants/acme/resources');
      assert.deepEqual((list.body.data as Array<{ identifier: string }>).map((r) => r.identifier).sort(), [CALENDAR_API, MAIL_API, 'urn:example:ec-only'].sort());
      const granted = await admin.call('PUT', `/tenants/acme/resources/${mailId}/clients/${fixture.clientId}`);
      assert.equal(granted.status, 200);
      assert.deepEqual(granted.body.client_ids, [fixture.clientId]);
      const audit = await admin.call('GET', `/audit-events?tenant_id=${fixture.tenant.id}&action=api_resource.client.grant`);
      assert.equal(audit.status, 200);
      assert.ok((audit.body.data as unknown[]).length >= 1);
    });

    it('granting a resource to a client passes the admin rule: a tenant_admin cannot change a super_admin client', async () => {
      const mighty = await createClient(server.ctx, fixture.tenant, { name: 'ops robot', scopes: ['latchkey:admin'] });
      await server.ctx.db.updateTable('users').set({ admin_role: 'super_admin' }).where('id', '=', mighty.client.serviceUserId!).execute();
      const refused = await admin.call('PUT', `/tenants/acme/resources/${mailId}/clients/${mighty.client.clientId}`);
      assert.equal(refused.status, 403);
      const policy = await admin.call('PUT', `/tenants/acme/clients/${mighty.client.clientId}/token-exchange-policy`, { impersonation: true });
      assert.equal(policy.status, 403);
      const detail = await admin.call('GET', `/tenants/acme/resources/${mailId}`);
      assert.deepEqual(detail.body.client_ids, [fixture.clientId]);
    });

    it('code + PKCE with resource: aud is the resource, scope only its scopes, lifetime its own; refresh may name it again', async () => {
      const result = await signIn({ ...fixture, scope: 'openid offline_access mail.read', extra: { resource: MAIL_API } });
      assert.ok(result.code, result.callback.href);
      const response = await postForm(`${fixture.issuer}/oauth2/token`, {
        grant_type: 'authorization_code', code: result.code!, redirect_uri: fixture.redirectUri, code_verifier: result.pkce.verifier,
        client_id: fixture.clientId, client_secret: fixture.clientSecret, resource: MAIL_API,
      });
      const tokens = await json(response);
      assert.equal(response.status, 200, JSON.stringify(tokens));
      const claims = decodeJwt(tokens.access_token as string);
      assert.equal(claims.aud, MAIL_API);
      assert.equal(claims.scope, 'mail.read');
      assert.equal(tokens.scope, 'mail.read');
      assert.equal(tokens.expires_in, 300);
      assert.ok(tokens.id_token, 'openid still gives an ID token');

      const refreshed = await postForm(`${fixture.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string, client_id: fixture.clientId, client_secret: fixture.clientSecret });
      const again = await json(refreshed);
      assert.equal(refreshed.status, 200, JSON.stringify(again));
      assert.equal(decodeJwt(again.access_token as string).aud, MAIL_API);

      const other = await postForm(`${fixture.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: again.refresh_token as string, client_id: fixture.clientId, client_secret: fixture.clientSecret, resource: CALENDAR_API });
      assert.equal(other.status, 400);
      assert.equal((await json(other)).error, 'invalid_target');
    });

    it('without resource, today\'s behaviour holds: aud is the client id (seed 000)', async () => {
      const result = await signIn({ ...fixture, scope: 'openid' });
      const response = await postForm(`${fixture.issuer}/oauth2/token`, {
        grant_type: 'authorization_code', code: result.code!, redirect_uri: fixture.redirectUri, code_verifier: result.pkce.verifier, client_id: fixture.clientId, client_secret: fixture.clientSecret,
      });
      const tokens = await json(response);
      assert.equal(decodeJwt(tokens.access_token as string).aud, fixture.clientId);
      const cc = await postForm(`${server.url}/application/o/token/`, { grant_type: 'client_credentials', client_id: machine.clientId, client_secret: machine.clientSecret, scope: 'openid' });
      assert.equal(decodeJwt((await json(cc)).access_token as string).aud, machine.clientId);
    });

    it('an unknown, malformed or ungranted resource at authorize is invalid_target, sent back to the client', async () => {
      for (const resource of ['https://unknown.example/', 'relative/path', 'https://x.example/#f', 'https://calendar.example.com']) {
        const result = await signIn({ ...fixture, scope: 'openid', extra: { resource } });
        assert.equal(result.error, 'invalid_target', resource);
        assert.equal(result.code, undefined);
      }
      // The mail API is granted to the web app only; a second app of the tenant may not ask for it.
      const other = await createClient(server.ctx, fixture.tenant, { name: 'other', grantTypes: ['authorization_code'], redirectUris: [fixture.redirectUri] });
      const refused = await signIn({ ...fixture, clientId: other.client.clientId, scope: 'openid', extra: { resource: MAIL_API } });
      assert.equal(refused.error, 'invalid_target');
    });

    it('client_credentials with resource: open resources for any client, granted ones only when granted, never in an algorithm the resource refuses', async () => {
      const open = await postForm(`${fixture.issuer}/oauth2/token`, { grant_type: 'client_credentials', client_id: machine.clientId, client_secret: machine.clientSecret, resource: CALENDAR_API });
      const body = await json(open);
      assert.equal(open.status, 200, JSON.stringify(body));
      const header = JSON.parse(Buffer.from((body.access_token as string).split('.')[0]!, 'base64url').toString());
      assert.equal(header.alg, 'RS256');
      assert.equal(decodeJwt(body.access_token as string).aud, CALENDAR_API);
      assert.equal(body.scope, 'calendar.read');
      const ecOnly = await postForm(`${fixture.issuer}/oauth2/token`, { grant_type: 'client_credentials', client_id: machine.clientId, client_secret: machine.clientSecret, resource: 'urn:example:ec-only' });
      const ecBody = await json(ecOnly);
      assert.equal(ecOnly.status, 400);
      assert.equal(ecBody.error, 'invalid_target');
      assert.match(String(ecBody.error_description), /ES256/);
      const wrongScope = await postForm(`${fixture.issuer}/oauth2/token`, { grant_type: 'client_credentials', client_id: machine.clientId, client_secret: machine.clientSecret, resource: CALENDAR_API, scope: 'mail.read' });
      assert.equal((await json(wrongScope)).error, 'invalid_scope');
      const closed = await postForm(`${fixture.issuer}/oauth2/token`, { grant_type: 'client_credentials', client_id: machine.clientId, client_secret: machine.clientSecret, resource: MAIL_API });
      assert.equal(closed.status, 400);
      assert.equal((await json(closed)).error, 'invalid_target');
      await admin.call('PUT', `/tenants/acme/resources/${mailId}/clients/${machine.clientId}`);
      const nowGranted = await postForm(`${fixture.issuer}/oauth2/token`, { grant_type: 'client_credentials', client_id: machine.clientId, client_secret: machine.clientSecret, resource: MAIL_API });
      assert.equal(nowGranted.status, 200);
      await admin.call('DELETE', `/tenants/acme/resources/${mailId}/clients/${machine.clientId}`);
      const withdrawn = await postForm(`${fixture.issuer}/oauth2/token`, { grant_type: 'client_credentials', client_id: machine.clientId, client_secret: machine.clientSecret, resource: MAIL_API });
      assert.equal((await json(withdrawn)).error, 'invalid_target');
    });
  });
}
