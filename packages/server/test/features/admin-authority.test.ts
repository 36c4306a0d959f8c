/**
 * Admins act only downward, through the admin API (issue 13, high): a table of actor role × target's admin
 * rights × operation on every kind of principal (person, client, service account, API key, role assignment,
 * membership). Every forbidden cell is refused with 403 and changes nothing in the database; every allowed cell
 * works. Regression for: a tenant_admin rotating the secret of (then authenticating as), editing or deleting a
 * client whose service account holds super_admin, and granting rights above its own; a partner_admin reaching
 * another partner's tenants (also issue 19's escalation tests). The CLI's table is in
 * test/unit/cli/cli-actor.test.ts; the consent path in admin-client-consents.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { adminCaller, adminRequest } from '../support/admin.ts';
import { basicAuth, json, postForm } from '../support/http.ts';
import { snapshotDatabase } from '../support/snapshot.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { createPartner } from '../../src/directory/partners.ts';
import { createClient } from '../../src/directory/clients.ts';
import { createUser } from '../../src/directory/users.ts';
import { createGroup } from '../../src/directory/groups.ts';
import { createRole } from '../../src/directory/roles.ts';
import type { Tenant } from '../../src/db/queries/tenants.ts';
import type { AdminRole } from '../../src/db/schema.ts';

type Rights = AdminRole | 'none';
const RANK: Record<Rights, number> = { none: 0, auditor: 1, tenant_admin: 2, partner_admin: 3, super_admin: 4 };

interface Actor {
  readonly name: string;
  readonly rights: AdminRole;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
}

/** A principal of the target tenant holding `rights`: a person, or a confidential client (with its service account). */
interface Target {
  readonly userId: string;
  readonly clientId?: string;
}

type Operation = { readonly name: string; readonly on: 'person' | 'client'; request(t: Target): [string, string, unknown?] };

for (const dialect of DIALECTS) {
  describe(`admins act only downward through the admin API (${dialect})`, () => {
    let server: TestServer;
    let acme: Tenant;
    let actors: Actor[];
    let roleId: string;
    let groupId: string;
    let root: Actor;

    async function setAdminRole(userId: string, role: AdminRole | null): Promise<void> {
      await server.ctx.db.updateTable('users').set({ admin_role: role }).where('id', '=', userId).execute();
    }

    async function person(rights: Rights): Promise<Target> {
      const user = await createUser(server.ctx, acme, { email: `p-${Math.random().toString(36).slice(2)}@acme.test` });
      if (rights !== 'none') await setAdminRole(user.id, rights);
      return { userId: user.id };
    }

    /** none: no admin scope; tenant_admin: the admin scope; super_admin: the admin scope and a super_admin service account. */
    async function client(rights: Rights): Promise<Target> {
      const scopes = rights === 'none' ? ['openid'] : ['openid', 'latchkey:admin'];
      const { client: c } = await createClient(server.ctx, acme, { name: `c-${rights}`, scopes, redirectUris: ['https://app.acme.test/cb'] });
      if (rights === 'super_admin') await setAdminRole(c.serviceUserId!, 'super_admin');
      return { userId: c.serviceUserId!, clientId: c.clientId };
    }

    const operations: Operation[] = [
      { name: 'edit a person', on: 'person', request: (t) => ['PATCH', `/tenants/acme/users/${t.userId}`, { display_name: 'changed' }] },
      { name: 'set a person\'s password', on: 'person', request: (t) => ['PATCH', `/tenants/acme/users/${t.userId}`, { password: 'a brand new password' }] },
      { name: 'disable a person', on: 'person', request: (t) => ['PATCH', `/tenants/acme/users/${t.userId}`, { status: 'disabled' }] },
      { name: 'delete a person', on: 'person', request: (t) => ['DELETE', `/tenants/acme/users/${t.userId}`] },
      { name: 'assign a role to a person', on: 'person', request: (t) => ['PUT', `/tenants/acme/users/${t.userId}/roles/${roleId}`] },
      { name: 'add a person to a group', on: 'person', request: (t) => ['PUT', `/tenants/acme/groups/${groupId}/members/${t.userId}`] },
      { name: 'create an API key for a person', on: 'person', request: (t) => ['POST', '/tenants/acme/api-keys', { owner_user_id: t.userId }] },
      { name: 'rotate a client\'s secret', on: 'client', request: (t) => ['POST', `/tenants/acme/clients/${t.clientId}/secret`] },
      { name: 'change a client\'s redirect URIs', on: 'client', request: (t) => ['PATCH', `/tenants/acme/clients/${t.clientId}`, { redirect_uris: ['https://evil.test/cb'] }] },
      { name: 'change a client\'s scopes', on: 'client', request: (t) => ['PATCH', `/tenants/acme/clients/${t.clientId}`, { scopes: ['openid', 'email'] }] },
      { name: 'rename a client', on: 'client', request: (t) => ['PATCH', `/tenants/acme/clients/${t.clientId}`, { name: 'renamed' }] },
      { name: 'delete a client', on: 'client', request: (t) => ['DELETE', `/tenants/acme/clients/${t.clientId}`] },
      { name: 'edit a client\'s service account', on: 'client', request: (t) => ['PATCH', `/tenants/acme/users/${t.userId}`, { display_name: 'changed' }] },
      { name: 'assign a role to a service account', on: 'client', request: (t) => ['PUT', `/tenants/acme/users/${t.userId}/roles/${roleId}`] },
      { name: 'create an API key for a service account', on: 'client', request: (t) => ['POST', '/tenants/acme/api-keys', { owner_user_id: t.userId }] },
    ];

    before(async () => {
      server = await startTestServer(dialect);
      acme = await createTenant(server.ctx, { slug: 'acme' });
      const ops = await createTenant(server.ctx, { slug: 'ops' });
      roleId = (await createRole(server.ctx.db, acme.id, { name: 'reader', permissions: ['docs.read'] }, server.ctx.now())).id;
      groupId = (await createGroup(server.ctx.db, acme.id, { name: 'staff' }, server.ctx.now())).id;
      const superUser = await adminCaller(server, ops, 'super_admin');
      const tenantUser = await adminCaller(server, acme, 'tenant_admin');
      // A client admin authenticates at the real token endpoint (client_credentials with the admin scope).
      const { client: adminClient, clientSecret } = await createClient(server.ctx, acme, { name: 'automation', scopes: ['latchkey:admin'] });
      const token = await postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', scope: 'latchkey:admin' }, { authorization: basicAuth(adminClient.clientId, clientSecret!) });
      assert.equal(token.status, 200);
      const clientToken = (await json(token)).access_token as string;
      root = { name: 'super_admin (person of another tenant)', rights: 'super_admin', call: superUser.call };
      actors = [
        { name: 'tenant_admin (person)', rights: 'tenant_admin', call: tenantUser.call },
        { name: 'tenant_admin (client)', rights: 'tenant_admin', call: (m, p, b) => adminRequest(server, clientToken, m, p, b) },
        root,
      ];
    });
    after(() => server.stop());

    it('refuses every operation on a principal above the actor (403, nothing changes) and allows the rest', async () => {
      let forbidden = 0;
      let allowed = 0;
      for (const actor of actors) {
        for (const rights of ['none', 'tenant_admin', 'super_admin'] as const) {
          for (const operation of operations) {
            const target = operation.on === 'person' ? await person(rights) : await client(rights);
            const [method, path, body] = operation.request(target);
            const cell = `${actor.name} × ${rights} × ${operation.name}`;
            const before = await snapshotDatabase(server.ctx.db, dialect);
            const response = await actor.call(method, path, body);
            if (RANK[rights] > RANK[actor.rights]) {
              forbidden++;
              assert.equal(response.status, 403, `${cell}: ${JSON.stringify(response.body)}`);
              assert.equal(response.body.error, 'access_denied', cell);
              assert.deepEqual(await snapshotDatabase(server.ctx.db, dialect), before, `${cell} changed the database`);
            } else {
              allowed++;
              assert.ok(response.status >= 200 && response.status < 300, `${cell}: ${response.status} ${JSON.stringify(response.body)}`);
              assert.notDeepEqual(await snapshotDatabase(server.ctx.db, dialect), before, `${cell} changed nothing`);
            }
          }
        }
      }
      assert.equal(forbidden, 2 * operations.length);
      assert.equal(allowed, 7 * operations.length);
    });

    it('never lets an admin grant rights above its own: admin roles, the admin scope on a super_admin service account', async () => {
      const [tenantAdmin, tenantClient] = actors as [Actor, Actor];
      for (const actor of [tenantAdmin, tenantClient]) {
        const plain = await person('none');
        // A client whose service account holds super_admin but may not (yet) ask for the admin scope.
        const { client: dormant } = await createClient(server.ctx, acme, { name: 'dormant', scopes: ['openid'] });
        await setAdminRole(dormant.serviceUserId!, 'super_admin');
        const ordinary = await client('none');
        const refusals: Array<[string, string, unknown]> = [
          ['POST', '/tenants/acme/users', { email: `boss-${Math.random()}@acme.test`, admin_role: 'super_admin' }],
          ['PATCH', `/tenants/acme/users/${plain.userId}`, { admin_role: 'super_admin' }],
          ['PATCH', `/tenants/acme/users/${ordinary.userId}`, { admin_role: 'super_admin' }],
          ['PATCH', `/tenants/acme/clients/${dormant.clientId}`, { scopes: ['openid', 'latchkey:admin'] }],
          ['POST', `/tenants/acme/clients/${dormant.clientId}/secret`, undefined],
        ];
        for (const [method, path, body] of refusals) {
          const before = await snapshotDatabase(server.ctx.db, dialect);
          const response = await actor.call(method, path, body);
          assert.equal(response.status, 403, `${actor.name}: ${method} ${path} ${JSON.stringify(body)}`);
          assert.deepEqual(await snapshotDatabase(server.ctx.db, dialect), before);
        }
        // Up to its own level it may: a tenant_admin makes tenant_admins, and admin clients of its tenant.
        assert.equal((await actor.call('PATCH', `/tenants/acme/users/${plain.userId}`, { admin_role: 'tenant_admin' })).status, 200);
        const made = await actor.call('POST', '/tenants/acme/clients', { name: 'new automation', scopes: ['latchkey:admin'] });
        assert.equal(made.status, 201);
        assert.equal((await actor.call('PATCH', `/tenants/acme/clients/${ordinary.clientId}`, { scopes: ['openid', 'latchkey:admin'] })).status, 200);
      }
      // The super_admin may do what the tenant admins may not.
      const plain = await person('none');
      assert.equal((await root.call('PATCH', `/tenants/acme/users/${plain.userId}`, { admin_role: 'super_admin' })).status, 200);
      assert.equal((await root.call('PATCH', `/tenants/acme/users/${plain.userId}`, { admin_role: null })).status, 200);
    });

    it('keeps a tenant_admin from becoming a super_admin client: the stolen secret path of the review', async () => {
      const victim = await client('super_admin');
      const [tenantAdmin] = actors as [Actor];
      const rotate = await tenantAdmin.call('POST', `/tenants/acme/clients/${victim.clientId}/secret`);
      assert.equal(rotate.status, 403);
      assert.equal(rotate.body.client_secret, undefined);
      assert.match(String(rotate.body.error_description), /super_admin/);
      // The super_admin client still works with its own secret (nothing was rotated), and only the super_admin may rotate it.
      const rotated = await root.call('POST', `/tenants/acme/clients/${victim.clientId}/secret`);
      assert.equal(rotated.status, 200);
      const token = await postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', scope: 'latchkey:admin' }, { authorization: basicAuth(victim.clientId!, rotated.body.client_secret as string) });
      const tenants = await adminRequest(server, (await json(token)).access_token as string, 'GET', '/tenants');
      assert.equal(tenants.status, 200, 'the super_admin client is a super_admin: it sees every tenant');
      assert.ok((tenants.body.data as unknown[]).length >= 2);
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`partner admins reach their partner's tenants only, and act only downward (${dialect})`, () => {
    let server: TestServer;
    let p1: Tenant;
    let p2: Tenant;
    let q1: Tenant;
    let partnerAdmin: Awaited<ReturnType<typeof adminCaller>>;
    let tenantAdmin: Awaited<ReturnType<typeof adminCaller>>;

    before(async () => {
      server = await startTestServer(dialect);
      const now = server.ctx.now();
      const p = await createPartner(server.ctx.db, { slug: 'msp-p', name: 'P' }, now);
      const q = await createPartner(server.ctx.db, { slug: 'msp-q', name: 'Q' }, now);
      p1 = await createTenant(server.ctx, { slug: 'p-one', partnerId: p.id });
      p2 = await createTenant(server.ctx, { slug: 'p-two', partnerId: p.id });
      q1 = await createTenant(server.ctx, { slug: 'q-one', partnerId: q.id });
      await createTenant(server.ctx, { slug: 'standalone' });
      partnerAdmin = await adminCaller(server, p1, 'partner_admin');
      tenantAdmin = await adminCaller(server, p2, 'tenant_admin');
    });
    after(() => server.stop());

    it('lists and reaches only the tenants of its partner; another partner\'s tenants are 404 and nothing changes', async () => {
      const listed = await partnerAdmin.call('GET', '/tenants');
      assert.deepEqual((listed.body.data as Array<{ slug: string }>).map((t) => t.slug).sort(), ['p-one', 'p-two']);
      assert.deepEqual((await partnerAdmin.call('GET', `/tenants?partner_id=${q1.partnerId}`)).body.data, []);
      const qUser = await createUser(server.ctx, q1, { email: 'q@q.test' });
      const { client: qClient } = await createClient(server.ctx, q1, { name: 'q app' });
      const before = await snapshotDatabase(server.ctx.db, dialect);
      const refusals: Array<[string, string, unknown, number]> = [
        ['GET', '/tenants/q-one', undefined, 404],
        ['PATCH', '/tenants/q-one', { name: 'mine' }, 404],
        ['GET', '/tenants/standalone/users', undefined, 404],
        ['PATCH', `/tenants/q-one/users/${qUser.id}`, { status: 'disabled' }, 404],
        ['POST', `/tenants/q-one/clients/${qClient.clientId}/secret`, undefined, 404],
        ['POST', '/tenants/q-one/users', { email: 'x@q.test', admin_role: 'tenant_admin' }, 404],
        ['POST', '/tenants', { slug: 'p-three', partner_id: p1.partnerId }, 403],
        ['GET', '/partners', undefined, 403],
        ['POST', '/tenants/p-two/users', { email: 'boss@p.test', admin_role: 'super_admin' }, 403],
      ];
      for (const [method, path, body, status] of refusals) assert.equal((await partnerAdmin.call(method, path, body)).status, status, `${method} ${path}`);
      assert.deepEqual(await snapshotDatabase(server.ctx.db, dialect), before);
    });

    it('manages the principals of its partner\'s tenants up to partner_admin; a tenant_admin cannot assign or touch partner_admin', async () => {
      const made = await partnerAdmin.call('POST', '/tenants/p-two/users', { email: 'lead@p.test', admin_role: 'partner_admin' });
      assert.equal(made.status, 201);
      assert.equal((await partnerAdmin.call('POST', '/tenants/p-two/users', { email: 'ta@p.test', admin_role: 'tenant_admin' })).status, 201);
      const plain = await createUser(server.ctx, p2, { email: 'plain@p.test' });
      const before = await snapshotDatabase(server.ctx.db, dialect);
      assert.equal((await tenantAdmin.call('PATCH', `/tenants/p-two/users/${plain.id}`, { admin_role: 'partner_admin' })).status, 403);
      assert.equal((await tenantAdmin.call('POST', '/tenants/p-two/users', { email: 'pa@p.test', admin_role: 'partner_admin' })).status, 403);
      assert.equal((await tenantAdmin.call('PATCH', `/tenants/p-two/users/${made.body.id}`, { status: 'disabled' })).status, 403);
      assert.equal((await tenantAdmin.call('DELETE', `/tenants/p-two/users/${made.body.id}`)).status, 403);
      assert.deepEqual(await snapshotDatabase(server.ctx.db, dialect), before);
      // A client acting as a super_admin in the partner's tenant is above the partner_admin.
      const { client: superClient } = await createClient(server.ctx, p2, { name: 'operator automation', scopes: ['latchkey:admin'] });
      await server.ctx.db.updateTable('users').set({ admin_role: 'super_admin' }).where('id', '=', superClient.serviceUserId!).execute();
      const snapshot = await snapshotDatabase(server.ctx.db, dialect);
      assert.equal((await partnerAdmin.call('POST', `/tenants/p-two/clients/${superClient.clientId}/secret`)).status, 403);
      assert.equal((await partnerAdmin.call('PATCH', `/tenants/p-two/clients/${superClient.clientId}`, { redirect_uris: ['https://evil.test/cb'] })).status, 403);
      assert.deepEqual(await snapshotDatabase(server.ctx.db, dialect), snapshot);
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`the auditor reads and changes nothing (${dialect})`, () => {
    let server: TestServer;
    let acme: Tenant;
    let auditor: Awaited<ReturnType<typeof adminCaller>>;
    let tenantAdmin: Awaited<ReturnType<typeof adminCaller>>;

    before(async () => {
      server = await startTestServer(dialect);
      acme = await createTenant(server.ctx, { slug: 'acme' });
      await createTenant(server.ctx, { slug: 'other' });
      tenantAdmin = await adminCaller(server, acme, 'tenant_admin');
      auditor = await adminCaller(server, acme, 'auditor');
    });
    after(() => server.stop());

    it('may be made by a tenant_admin and reads its tenant: users, clients, groups, keys, the audit log', async () => {
      const plain = await createUser(server.ctx, acme, { email: 'made-auditor@acme.test' });
      assert.equal((await tenantAdmin.call('PATCH', `/tenants/acme/users/${plain.id}`, { admin_role: 'auditor' })).status, 200);
      for (const path of ['/me', '/tenants', '/tenants/acme', '/tenants/acme/users', '/tenants/acme/clients', '/tenants/acme/groups', '/tenants/acme/roles', '/tenants/acme/api-keys', '/tenants/acme/signing-keys', '/audit-events']) {
        assert.equal((await auditor.call('GET', path)).status, 200, path);
      }
      assert.equal((await fetch(`${server.url}/admin/v1/audit-events/export`, { headers: { authorization: `Bearer ${auditor.token}` } })).status, 200);
      assert.equal((await auditor.call('GET', '/me')).body.role, 'auditor');
      assert.equal(((await auditor.call('GET', '/me')).body.can as { write: boolean }).write, false);
      assert.equal((await auditor.call('GET', '/tenants/other/users')).status, 404, 'only its own tenant');
    });

    it('is refused every change with 403, and nothing changes', async () => {
      const user = await createUser(server.ctx, acme, { email: 'target@acme.test' });
      const { client } = await createClient(server.ctx, acme, { name: 'app', redirectUris: ['https://app.acme.test/cb'] });
      const role = await createRole(server.ctx.db, acme.id, { name: 'viewer', permissions: ['docs.read'] }, server.ctx.now());
      const group = await createGroup(server.ctx.db, acme.id, { name: 'team' }, server.ctx.now());
      const before = await snapshotDatabase(server.ctx.db, dialect);
      const changes: Array<[string, string, unknown?]> = [
        ['PATCH', '/tenants/acme', { name: 'renamed' }],
        ['POST', '/tenants/acme/users', { email: 'new@acme.test' }],
        ['PATCH', `/tenants/acme/users/${user.id}`, { status: 'disabled' }],
        ['DELETE', `/tenants/acme/users/${user.id}`],
        ['POST', `/tenants/acme/users/${user.id}/sign-out`],
        ['PUT', `/tenants/acme/users/${user.id}/roles/${role.id}`],
        ['PUT', `/tenants/acme/groups/${group.id}/members/${user.id}`],
        ['POST', '/tenants/acme/groups', { name: 'mine' }],
        ['POST', '/tenants/acme/roles', { name: 'mine', permissions: ['x.y'] }],
        ['PUT', `/tenants/acme/groups/${group.id}/roles/${role.id}`],
        ['POST', '/tenants/acme/clients', { name: 'mine', type: 'public', redirect_uris: ['https://x.test/cb'] }],
        ['POST', `/tenants/acme/clients/${client.clientId}/secret`],
        ['PATCH', `/tenants/acme/clients/${client.clientId}`, { name: 'mine' }],
        ['POST', '/tenants/acme/api-keys', { owner_user_id: user.id }],
        ['POST', '/tenants/acme/signing-keys/rotate', {}],
        ['PATCH', `/tenants/acme/users/${auditor.userId}`, { admin_role: 'tenant_admin' }],
      ];
      for (const [method, path, body] of changes) {
        const answer = await auditor.call(method, path, body);
        assert.equal(answer.status, 403, `${method} ${path}`);
        assert.equal(answer.body.error, 'access_denied');
      }
      assert.deepEqual(await snapshotDatabase(server.ctx.db, dialect), before);
    });
  });
}
