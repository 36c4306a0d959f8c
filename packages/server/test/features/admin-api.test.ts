/**
 * The admin REST API: who may call it (RFC 6750 answers with WWW-Authenticate), tenant isolation of a
 * tenant_admin (403 for global operations, 404 for anything in another tenant, and nothing changes), client
 * admins through the latchkey:admin scope, pagination and filters, partners, clients and the audit trail.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { createTenantWithClient, startTestServer } from '../support/server.ts';
import type { TenantWithClient, TestServer } from '../support/server.ts';
import { adminCaller, adminRequest } from '../support/admin.ts';
import type { AdminCaller } from '../support/admin.ts';
import { basicAuth, json, postForm } from '../support/http.ts';
import { snapshotDatabase } from '../support/snapshot.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { createUser } from '../../src/directory/users.ts';

for (const dialect of DIALECTS) {
  describe(`admin API (${dialect})`, () => {
    let server: TestServer;
    let root: AdminCaller;
    let acmeAdmin: AdminCaller;
    let acme: TenantWithClient;
    let globex: TenantWithClient;
    let globexUserId: string;

    before(async () => {
      server = await startTestServer(dialect);
      root = await adminCaller(server, await createTenant(server.ctx, { slug: 'ops' }), 'super_admin');
      acme = await createTenantWithClient(server, 'acme', { scopes: ['openid', 'latchkey:admin'], tokenClaims: ['groups', 'permissions'] });
      globex = await createTenantWithClient(server, 'globex');
      acmeAdmin = await adminCaller(server, acme.tenant, 'tenant_admin');
      globexUserId = (await createUser(server.ctx, globex.tenant, { email: 'hank@globex.test' })).id;
    });
    after(() => server.stop());

    it('answers 401 with a Bearer challenge without a token or with a bad one', async () => {
      const none = await adminRequest(server, undefined, 'GET', '/tenants');
      assert.equal(none.status, 401);
      assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="latchkey-admin"');
      assert.equal(none.body.error, 'invalid_token');
      for (const token of ['not-a-jwt', `${acmeAdmin.token.slice(0, -4)}AAAA`]) {
        const bad = await adminRequest(server, token, 'GET', '/tenants');
        assert.equal(bad.status, 401);
        assert.match(bad.headers.get('www-authenticate') ?? '', /^Bearer realm="latchkey-admin", error="invalid_token"/);
      }
      const basic = await fetch(`${server.url}/admin/v1/tenants`, { headers: { authorization: basicAuth('a', 'b') } });
      assert.equal(basic.status, 401);
    });

    it('answers 403 to a token without the latchkey:admin scope or a user without an admin role', async () => {
      const noScope = await adminCaller(server, acme.tenant, 'tenant_admin', ['openid']);
      const response = await noScope.call('GET', '/tenants/acme');
      assert.equal(response.status, 403);
      assert.equal(response.body.error, 'insufficient_scope');
      assert.match(response.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
      const plain = await adminCaller(server, acme.tenant, null);
      assert.equal((await plain.call('GET', '/tenants/acme')).status, 403);
    });

    it('lets a tenant_admin manage its own tenant', async () => {
      const settings = await acmeAdmin.call('PATCH', '/tenants/acme', { settings: { access_token_lifetime: 900 } });
      assert.equal(settings.status, 200);
      assert.equal((settings.body.settings as Record<string, unknown>).access_token_lifetime, 900);
      assert.equal((settings.body.settings as Record<string, unknown>).api_key_prefix, 'sg');
      const user = await acmeAdmin.call('POST', '/tenants/acme/users', { email: 'Ada@Acme.test', first_name: 'Ada', last_name: 'Lovelace', role: 'developer', admin_role: 'tenant_admin' });
      assert.equal(user.status, 201);
      assert.equal(user.body.role, 'developer');
      assert.equal(user.body.admin_role, 'tenant_admin');
      const listed = await acmeAdmin.call('GET', '/tenants');
      assert.deepEqual((listed.body.data as Array<{ slug: string }>).map((t) => t.slug), ['acme']);
    });

    it('keeps a tenant_admin out of every other tenant (404 there, 403 for global operations) and changes nothing', async () => {
      const refusals: Array<[string, string, unknown, number]> = [
        ['GET', '/tenants/globex', undefined, 404],
        ['GET', `/tenants/${globex.tenant.id}`, undefined, 404],
        ['PATCH', '/tenants/globex', { name: 'owned' }, 404],
        ['DELETE', '/tenants/globex', undefined, 404],
        ['GET', '/tenants/globex/users', undefined, 404],
        ['GET', `/tenants/globex/users/${globexUserId}`, undefined, 404],
        ['PATCH', `/tenants/globex/users/${globexUserId}`, { status: 'disabled' }, 404],
        ['POST', '/tenants/globex/groups', { name: 'intruders' }, 404],
        ['POST', '/tenants/globex/api-keys', { owner_user_id: globexUserId }, 404],
        ['POST', `/tenants/globex/clients/${globex.clientId}/secret`, undefined, 404],
        ['POST', '/tenants/globex/signing-keys/rotate', {}, 404],
        // Another tenant's objects through one's own tenant path do not exist either.
        ['GET', `/tenants/acme/users/${globexUserId}`, undefined, 404],
        ['DELETE', `/tenants/acme/users/${globexUserId}`, undefined, 404],
        ['GET', `/tenants/acme/clients/${globex.clientId}`, undefined, 404],
        ['POST', '/tenants', { slug: 'mine' }, 403],
        ['GET', '/partners', undefined, 403],
        ['POST', '/partners', { slug: 'p1', name: 'P' }, 403],
        ['DELETE', '/tenants/acme', undefined, 403],
        ['PATCH', '/tenants/acme', { partner_id: null }, 403],
        ['POST', '/tenants/acme/users', { email: 'boss@acme.test', admin_role: 'super_admin' }, 403],
      ];
      const before = await snapshotDatabase(server.ctx.db, dialect);
      for (const [method, path, body, status] of refusals) {
        const response = await acmeAdmin.call(method, path, body);
        assert.equal(response.status, status, `${method} ${path}`);
        assert.equal(typeof response.body.error, 'string');
        assert.equal(typeof response.body.error_description, 'string');
      }
      assert.deepEqual(await snapshotDatabase(server.ctx.db, dialect), before);
      const audit = await acmeAdmin.call('GET', `/audit-events?tenant_id=${globex.tenant.id}&limit=200`);
      assert.ok((audit.body.data as Array<{ tenant_id: string }>).every((e) => e.tenant_id === acme.tenant.id));
    });

    it('makes a client with the latchkey:admin scope tenant_admin of its own tenant', async () => {
      const token = await postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', scope: 'latchkey:admin' }, { authorization: basicAuth(acme.clientId, acme.clientSecret) });
      assert.equal(token.status, 200);
      const accessToken = (await json(token)).access_token as string;
      const own = await adminRequest(server, accessToken, 'GET', '/tenants/acme/users?email=ADA@acme.test');
      assert.equal(own.status, 200);
      assert.equal((own.body.data as unknown[]).length, 1);
      assert.equal((await adminRequest(server, accessToken, 'GET', '/tenants/globex/users')).status, 404);
      const group = await adminRequest(server, accessToken, 'POST', '/tenants/acme/groups', { name: 'bots' });
      assert.equal(group.status, 201);
      const events = await root.call('GET', `/audit-events?action=group.create&target_id=${group.body.id}`);
      const event = (events.body.data as Array<Record<string, unknown>>)[0]!;
      assert.equal(event.actor_type, 'client');
      assert.equal(event.actor_id, acme.clientId);
      assert.equal(event.tenant_id, acme.tenant.id);
      assert.equal(event.ip, '127.0.0.1');
      // Without the scope the same client is no admin.
      const plain = await postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', scope: 'openid' }, { authorization: basicAuth(acme.clientId, acme.clientSecret) });
      assert.equal((await adminRequest(server, (await json(plain)).access_token as string, 'GET', '/tenants/acme')).status, 403);
    });

    it('pages lists with a cursor and filters users by email, name and group', async () => {
      for (let i = 0; i < 5; i++) assert.equal((await root.call('POST', '/tenants/globex/groups', { name: `team-${i}` })).status, 201);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await root.call('GET', `/tenants/globex/groups?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(page.status, 200);
        seen.push(...(page.body.data as Array<{ name: string }>).map((g) => g.name));
        cursor = page.body.next_cursor as string | null;
        pages++;
      } while (cursor !== null && pages < 10);
      assert.deepEqual(seen, ['team-0', 'team-1', 'team-2', 'team-3', 'team-4']);
      assert.equal(pages, 3);
      const team = ((await root.call('GET', '/tenants/globex/groups?name=TEAM-3')).body.data as Array<{ id: string }>)[0]!.id;
      await root.call('PUT', `/tenants/globex/groups/${team}/members/${globexUserId}`);
      const byGroup = await root.call('GET', `/tenants/globex/users?group=${team}`);
      assert.deepEqual((byGroup.body.data as Array<{ id: string }>).map((u) => u.id), [globexUserId]);
      const byName = await root.call('GET', '/tenants/acme/users?name=lovelace');
      assert.deepEqual((byName.body.data as Array<{ email: string }>).map((u) => u.email), ['Ada@Acme.test']);
      assert.equal((await root.call('GET', '/tenants/globex/groups?limit=0')).status, 400);
    });

    it('refuses malformed bodies with invalid_request and duplicates with 409', async () => {
      const missing = await root.call('POST', '/tenants/acme/groups', {});
      assert.equal(missing.status, 400);
      assert.equal(missing.body.error, 'invalid_request');
      const empty = await root.call('PATCH', '/tenants/acme/groups/grp_x', {});
      assert.equal(empty.status, 400);
      const typo = await root.call('POST', '/tenants/acme/groups', { name: 'typo', descripton: 'misspelt' });
      assert.equal(typo.status, 400);
      assert.match(String(typo.body.error_description), /additional properties/);
      const wrongType = await root.call('POST', '/tenants/acme/roles', { name: 'r', permissions: { 'mail.send': true } });
      assert.equal(wrongType.status, 400);
      assert.equal((await root.call('POST', '/tenants/acme/groups', { name: 'dup' })).status, 201);
      const duplicate = await root.call('POST', '/tenants/acme/groups', { name: 'dup' });
      assert.equal(duplicate.status, 409);
      assert.equal(duplicate.body.error, 'conflict');
    });

    it('manages partners and tenants under them; a partner with tenants cannot be deleted', async () => {
      const partner = await root.call('POST', '/partners', { slug: 'msp', name: 'Managed Services' });
      assert.equal(partner.status, 201);
      const tenant = await root.call('POST', '/tenants', { slug: 'msp-client', name: 'MSP client', partner_id: partner.body.id, settings: { require_live_api_keys: true } });
      assert.equal(tenant.status, 201);
      assert.equal(tenant.body.partner_id, partner.body.id);
      assert.equal((tenant.body.settings as Record<string, unknown>).require_live_api_keys, true);
      const jwks = await fetch(`${server.url}/t/msp-client/jwks`);
      assert.equal(((await jwks.json()) as { keys: unknown[] }).keys.length, 1);
      const byPartner = await root.call('GET', `/tenants?partner_id=${partner.body.id}`);
      assert.deepEqual((byPartner.body.data as Array<{ slug: string }>).map((t) => t.slug), ['msp-client']);
      assert.equal((await root.call('DELETE', `/partners/${partner.body.id}`)).status, 409);
      assert.equal((await root.call('DELETE', '/tenants/msp-client')).status, 204);
      assert.equal((await root.call('DELETE', `/partners/${partner.body.id}`)).status, 204);
      assert.equal((await root.call('GET', `/partners/${partner.body.id}`)).status, 404);
      assert.equal((await fetch(`${server.url}/t/msp-client/jwks`)).status, 404);
    });

    it('changes what a client puts in its tokens and rotates its secret', async () => {
      const changed = await root.call('PATCH', `/tenants/globex/clients/${globex.clientId}`, { token_claims: ['groups', 'permissions', 'tenant_slug'] });
      assert.equal(changed.status, 200);
      assert.deepEqual(changed.body.token_claims, ['groups', 'permissions', 'tenant_slug']);
      const rotated = await root.call('POST', `/tenants/globex/clients/${globex.clientId}/secret`);
      assert.equal(rotated.status, 200);
      const secret = rotated.body.client_secret as string;
      const old = await postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basicAuth(globex.clientId, globex.clientSecret) });
      assert.equal(old.status, 401);
      const fresh = await postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basicAuth(globex.clientId, secret) });
      assert.equal(fresh.status, 200);
      const claims = JSON.parse(Buffer.from(((await json(fresh)).access_token as string).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      assert.equal(claims.tenant_slug, 'globex');
      assert.deepEqual(claims.permissions, []);
      assert.equal(claims.tenant_id, undefined);
      const events = await root.call('GET', `/audit-events?action=client.secret.rotate&target_id=${globex.clientId}`);
      assert.equal((events.body.data as unknown[]).length, 1);
      assert.ok(!JSON.stringify(events.body).includes(secret));
    });
  });
}
