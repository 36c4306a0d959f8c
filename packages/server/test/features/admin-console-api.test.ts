/**
 * What the admin API gained for the console (issue 19), on SQLite and PostgreSQL: the one-time bootstrap of the
 * first super admin, /me, user search, effective permissions with their sources, sessions, the group tree's
 * edges, the audit log newest first and as CSV, the metrics summary, and the console's sign-in configuration.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { adminCaller, adminRequest } from '../support/admin.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { createUser } from '../../src/directory/users.ts';
import { issueBootstrapLink } from '../../src/directory/bootstrap.ts';
import type { Tenant } from '../../src/db/queries/tenants.ts';

const PASSWORD = 'correct horse battery staple';

function tokenOf(link: string): string {
  return link.slice(link.lastIndexOf('/') + 1);
}

for (const dialect of DIALECTS) {
  describe(`admin API for the console (${dialect})`, () => {
    let server: TestServer;
    let acme: Tenant;
    let admin: Awaited<ReturnType<typeof adminCaller>>;

    before(async () => {
      server = await startTestServer(dialect);
      acme = await createTenant(server.ctx, { slug: 'acme' });
      admin = await adminCaller(server, acme, 'tenant_admin');
    });
    after(() => server.stop());

    it('bootstraps the first super admin once, with a single-use link, and never again', async () => {
      const config = await fetch(`${server.url}/console/config.json`);
      assert.equal(config.status, 404, 'no system tenant before the bootstrap');
      const bound = await issueBootstrapLink(server.ctx, 'boss@ops.test');
      const link = await issueBootstrapLink(server.ctx);
      assert.ok(bound && link);
      assert.match(link, /\/console\/#\/bootstrap\/[A-Za-z0-9_-]{43}$/);
      const post = (body: unknown) => adminRequest(server, undefined, 'POST', '/bootstrap', body);
      assert.equal((await post({ token: 'x'.repeat(43), email: 'root@ops.test', password: PASSWORD })).status, 403, 'an unknown token');
      assert.equal((await post({ token: tokenOf(bound), email: 'root@ops.test', password: PASSWORD })).status, 403, 'a link made for another email');
      assert.equal((await post({ token: tokenOf(link), email: 'root@ops.test', password: 'short' })).status, 400);
      assert.equal((await fetch(`${server.url}/console/config.json`)).status, 404, 'refused bootstraps made nothing, not even the system tenant');
      const made = await post({ token: tokenOf(link), email: 'root@ops.test', password: PASSWORD });
      assert.equal(made.status, 201);
      assert.equal(made.body.tenant, 'system');
      const row = await server.ctx.db.selectFrom('users').selectAll().where('id', '=', made.body.user_id as string).executeTakeFirstOrThrow();
      assert.equal(row.admin_role, 'super_admin');
      assert.notEqual(row.password_hash, null);
      assert.equal((await post({ token: tokenOf(link), email: 'again@ops.test', password: PASSWORD })).status, 403, 'spent');
      assert.equal((await post({ token: tokenOf(bound), email: 'boss@ops.test', password: PASSWORD })).status, 403, 'every other link died with it');
      assert.equal(await issueBootstrapLink(server.ctx), undefined);
      const events = await server.ctx.db.selectFrom('audit_events').select('action').where('action', '=', 'admin.bootstrap').execute();
      assert.equal(events.length, 1);
      // The console can now sign in at the system tenant with its built-in public client.
      const body = (await (await fetch(`${server.url}/console/config.json`)).json()) as Record<string, string>;
      assert.deepEqual(body, { issuer: `${server.ctx.config.baseUrl}/t/system`, client_id: 'latchkey-console-system', redirect_uri: `${server.ctx.config.baseUrl}/console/`, tenant: 'system' });
      await fetch(`${server.url}/console/config.json?tenant=system`);
      const clients = await server.ctx.db.selectFrom('clients').select(['type', 'redirect_uris']).where('client_id', '=', 'latchkey-console-system').execute();
      assert.deepEqual(clients.map((c) => ({ ...c })), [{ type: 'public', redirect_uris: JSON.stringify([`${server.ctx.config.baseUrl}/console/`]) }], 'made once');
      assert.equal((await fetch(`${server.url}/console/config.json?tenant=nope`)).status, 404);
    });

    it('answers /me with the role and what it may do', async () => {
      const me = await admin.call('GET', '/me');
      assert.equal(me.status, 200);
      assert.deepEqual({ role: me.body.role, tenant_slug: me.body.tenant_slug, can: me.body.can }, { role: 'tenant_admin', tenant_slug: 'acme', can: { write: true, manage_partners: false, see_other_tenants: false, read_metrics: false } });
      assert.equal((await admin.call('GET', '/metrics/summary')).status, 403, 'instance metrics are for super admins');
    });

    it('searches users by part of the email, username or name, case-insensitively, in keyset pages', async () => {
      for (let i = 0; i < 5; i++) await createUser(server.ctx, acme, { email: `searchable${i}@acme.test`, displayName: `Searchable Person ${i}` });
      await createUser(server.ctx, acme, { email: 'zed@acme.test', username: 'Zed.Searchable' });
      const first = await admin.call('GET', '/tenants/acme/users?q=SEARCHABLE&limit=4');
      assert.equal(first.status, 200);
      const second = await admin.call('GET', `/tenants/acme/users?q=SEARCHABLE&limit=4&cursor=${first.body.next_cursor as string}`);
      const emails = [...(first.body.data as Array<{ email: string }>), ...(second.body.data as Array<{ email: string }>)].map((u) => u.email);
      // Keyset pages in id order (ids made in one millisecond order at random): each user once, none lost.
      assert.deepEqual(emails.sort(), ['searchable0@acme.test', 'searchable1@acme.test', 'searchable2@acme.test', 'searchable3@acme.test', 'searchable4@acme.test', 'zed@acme.test']);
      assert.equal(second.body.next_cursor, null);
      assert.deepEqual((await admin.call('GET', '/tenants/acme/users?q=person%203')).body.data && ((await admin.call('GET', '/tenants/acme/users?q=person%203')).body.data as Array<{ email: string }>).map((u) => u.email), ['searchable3@acme.test']);
      assert.deepEqual((await admin.call('GET', '/tenants/acme/users?q=%25')).body.data, [], 'a wildcard is a character, not a pattern');
    });

    it('explains each effective permission by role and group path, draws the group edges, lists sessions', async () => {
      const user = await createUser(server.ctx, acme, { email: 'dana@acme.test' });
      const group = async (name: string) => (await admin.call('POST', '/tenants/acme/groups', { name })).body.id as string;
      const role = async (name: string, permissions: string[]) => (await admin.call('POST', '/tenants/acme/roles', { name, permissions })).body.id as string;
      const [org, eng, backend] = [await group('org'), await group('eng'), await group('backend')];
      assert.equal((await admin.call('PUT', `/tenants/acme/groups/${eng}/parents/${org}`)).status, 204);
      assert.equal((await admin.call('PUT', `/tenants/acme/groups/${backend}/parents/${eng}`)).status, 204);
      const reader = await role('reader', ['docs.read']);
      const mailer = await role('mailer', ['mail.send', 'docs.read']);
      await admin.call('PUT', `/tenants/acme/groups/${org}/roles/${reader}`);
      await admin.call('PUT', `/tenants/acme/users/${user.id}/roles/${mailer}`);
      await admin.call('PUT', `/tenants/acme/groups/${backend}/members/${user.id}`);
      const explained = await admin.call('GET', `/tenants/acme/users/${user.id}/permissions`);
      assert.equal(explained.status, 200);
      assert.deepEqual(explained.body.permissions, [
        { permission: 'docs.read', sources: [{ role_id: mailer, role: 'mailer', group_path: [] }, { role_id: reader, role: 'reader', group_path: ['backend', 'eng', 'org'] }] },
        { permission: 'mail.send', sources: [{ role_id: mailer, role: 'mailer', group_path: [] }] },
      ]);
      const edges = await admin.call('GET', '/tenants/acme/group-edges?limit=1');
      const next = await admin.call('GET', `/tenants/acme/group-edges?limit=1&cursor=${edges.body.next_cursor as string}`);
      const all = [...(edges.body.data as unknown[]), ...(next.body.data as unknown[])];
      assert.deepEqual(new Set(all.map((e) => JSON.stringify(e))), new Set([JSON.stringify({ child_group_id: eng, parent_group_id: org }), JSON.stringify({ child_group_id: backend, parent_group_id: eng })]));
      assert.equal(next.body.next_cursor, null);
      const sessions = await admin.call('GET', `/tenants/acme/users/${user.id}/sessions`);
      assert.deepEqual(sessions.body, { data: [], next_cursor: null });
    });

    it('reads the audit log newest first and exports it as CSV', async () => {
      await admin.call('POST', '/tenants/acme/groups', { name: '=HYPERLINK("http://evil.test")' });
      const newest = await admin.call('GET', '/audit-events?order=desc&limit=2');
      const ids = (newest.body.data as Array<{ id: string }>).map((e) => e.id);
      assert.deepEqual(ids, [...ids].sort().reverse());
      const older = await admin.call('GET', `/audit-events?order=desc&limit=2&cursor=${newest.body.next_cursor as string}`);
      assert.ok((older.body.data as Array<{ id: string }>).every((e) => e.id < ids[1]!));
      const response = await fetch(`${server.url}/admin/v1/audit-events/export?action=group.create`, { headers: { authorization: `Bearer ${admin.token}` } });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/csv/);
      const csv = await response.text();
      const lines = csv.trimEnd().split('\r\n');
      assert.equal(lines[0], 'id,occurred_at,tenant_id,action,outcome,actor_type,actor_id,target_type,target_id,ip,details');
      assert.ok(lines.slice(1).every((line) => line.includes(',group.create,')));
      assert.match(csv, /"\{""name"":""=HYPERLINK/, 'details are quoted JSON');
      assert.equal((await fetch(`${server.url}/admin/v1/audit-events/export`)).status, 401);
    });
  });
}
