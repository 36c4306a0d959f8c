/**
 * Effective permissions (seed 003): the union of the roles held directly and through every group reached by
 * membership and nesting, carried by the next client_credentials token of a service account (seed 000
 * `groups`). Diamonds count each group once, depth 10 works, cycles and over-deep chains are refused with 409
 * and change nothing, and removing a membership takes its permissions away from the very next token.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { createTenantWithClient, startTestServer } from '../support/server.ts';
import type { TenantWithClient, TestServer } from '../support/server.ts';
import { adminCaller } from '../support/admin.ts';
import type { AdminCaller } from '../support/admin.ts';
import { json, postForm } from '../support/http.ts';
import { snapshotDatabase } from '../support/snapshot.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { MAX_GROUP_DEPTH } from '../../src/directory/groups.ts';
import { createClient } from '../../src/directory/clients.ts';
import { issueAccessToken } from '../../src/tokens/access-token.ts';

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

for (const dialect of DIALECTS) {
  describe(`effective permissions through nested groups (${dialect})`, () => {
    let server: TestServer;
    let acme: TenantWithClient;
    let admin: AdminCaller;
    let serviceAccount: string;
    const base = '/tenants/acme';

    async function ok(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
      const response = await admin.call(method, `${base}${path}`, body);
      assert.ok(response.status < 300, `${method} ${path} answered ${response.status} ${JSON.stringify(response.body)}`);
      return response.body;
    }
    const group = async (name: string) => (await ok('POST', '/groups', { name })).id as string;
    const role = async (name: string, permissions: string[]) => (await ok('POST', '/roles', { name, permissions })).id as string;
    const nest = (child: string, parent: string) => admin.call('PUT', `${base}/groups/${child}/parents/${parent}`);
    async function nextToken(): Promise<Record<string, unknown>> {
      const response = await postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: acme.clientId, client_secret: acme.clientSecret });
      assert.equal(response.status, 200);
      return claimsOf((await json(response)).access_token as string);
    }

    before(async () => {
      server = await startTestServer(dialect);
      const ops = await createTenant(server.ctx, { slug: 'ops' });
      admin = await adminCaller(server, ops, 'super_admin');
      acme = await createTenantWithClient(server, 'acme', { tokenClaims: ['groups', 'roles', 'permissions', 'tenant_id'] });
      serviceAccount = (await ok('GET', `/clients/${acme.clientId}`)).service_account_id as string;
    });
    after(() => server.stop());

    it('unions a diamond once: direct roles plus every group role reached through two paths', async () => {
      const [top, left, right, bottom] = [await group('top'), await group('left'), await group('right'), await group('bottom')];
      for (const [child, parent] of [[left, top], [right, top], [bottom, left], [bottom, right]] as const) assert.equal((await nest(child, parent)).status, 204);
      await ok('PUT', `/groups/${top}/roles/${await role('top', ['top.read'])}`);
      await ok('PUT', `/groups/${left}/roles/${await role('left', ['left.read', 'shared.write'])}`);
      await ok('PUT', `/groups/${right}/roles/${await role('right', ['right.read', 'shared.write'])}`);
      await ok('PUT', `/groups/${bottom}/roles/${await role('bottom', ['bottom.read'])}`);
      await ok('PUT', `/users/${serviceAccount}/roles/${await role('direct', ['direct.send'])}`);
      await ok('PUT', `/groups/${bottom}/members/${serviceAccount}`);

      const claims = await nextToken();
      assert.deepEqual(claims.permissions, ['bottom.read', 'direct.send', 'left.read', 'right.read', 'shared.write', 'top.read']);
      assert.deepEqual(claims.roles, ['bottom', 'direct', 'left', 'right', 'top']);
      assert.deepEqual(claims.groups, ['bottom']);
      assert.equal(claims.tenant_id, acme.tenant.id);
      const access = await ok('GET', `/users/${serviceAccount}/access`);
      assert.deepEqual(access.all_groups, ['bottom', 'left', 'right', 'top']);
      assert.deepEqual(access.permissions, claims.permissions);
    });

    it('removing a membership removes its permissions from the next token at once', async () => {
      const bottom = ((await ok('GET', '/groups?name=bottom')).data as Array<{ id: string }>)[0]!.id;
      assert.equal((await admin.call('DELETE', `${base}/groups/${bottom}/members/${serviceAccount}`)).status, 204);
      const claims = await nextToken();
      assert.deepEqual(claims.permissions, ['direct.send']);
      assert.deepEqual(claims.roles, ['direct']);
      assert.deepEqual(claims.groups, []);
      assert.equal((await admin.call('DELETE', `${base}/groups/${bottom}/members/${serviceAccount}`)).status, 404);
    });

    it('inherits through a chain of depth 10', async () => {
      const chain: string[] = [];
      for (let i = 0; i < 10; i++) chain.push(await group(`level-${i}`));
      for (let i = 0; i < 9; i++) assert.equal((await nest(chain[i]!, chain[i + 1]!)).status, 204);
      await ok('PUT', `/groups/${chain[9]}/roles/${await role('deep', ['deep.read'])}`);
      await ok('PUT', `/groups/${chain[4]}/roles/${await role('middle', ['middle.read'])}`);
      const person = (await ok('POST', '/users', { email: 'deep@acme.test' })).id as string;
      await ok('PUT', `/groups/${chain[0]}/members/${person}`);
      const access = await ok('GET', `/users/${person}/access`);
      assert.deepEqual(access.permissions, ['deep.read', 'middle.read']);
      assert.deepEqual(access.groups, ['level-0']);
      assert.equal((access.all_groups as string[]).length, 10);
    });

    it('userinfo returns the groups and permissions the client asks for, as they are now', async () => {
      const person = ((await ok('GET', '/users?email=deep@acme.test')).data as Array<{ id: string }>)[0]!.id;
      const { client } = await createClient(server.ctx, acme.tenant, { name: 'spa', type: 'public', redirectUris: ['http://127.0.0.1/cb'], tokenClaims: ['groups', 'permissions', 'partner_id'] });
      const { token } = await issueAccessToken(server.ctx, { tenant: acme.tenant, client, subject: person, scope: ['openid'] });
      const userinfo = async () => json(await fetch(`${server.url}/t/acme/oauth2/userinfo`, { headers: { authorization: `Bearer ${token}` } }));
      const before = await userinfo();
      assert.equal(before.sub, person);
      assert.deepEqual(before.groups, ['level-0']);
      assert.deepEqual(before.permissions, ['deep.read', 'middle.read']);
      assert.equal(before.partner_id, null);
      assert.equal(before.roles, undefined);
      const level0 = ((await ok('GET', '/groups?name=level-0')).data as Array<{ id: string }>)[0]!.id;
      await ok('DELETE', `/groups/${level0}/members/${person}`);
      const after = await userinfo();
      assert.deepEqual(after.groups, []);
      assert.deepEqual(after.permissions, []);
      await ok('PUT', `/groups/${level0}/members/${person}`);
    });

    it('refuses a cycle (and a group as its own parent) with 409, changing nothing', async () => {
      const chain = ((await ok('GET', '/groups?name=level-&limit=200')).data as Array<{ id: string; name: string }>).sort((a, b) => a.name.localeCompare(b.name));
      const [first, last] = [chain[0]!.id, chain[9]!.id];
      const before = await snapshotDatabase(server.ctx.db, dialect);
      for (const [child, parent] of [[last, first], [first, first], [chain[5]!.id, chain[2]!.id]]) {
        const response = await nest(child!, parent!);
        assert.equal(response.status, 409);
        assert.equal(response.body.error, 'conflict');
        assert.match(String(response.body.error_description), /cycle/);
      }
      assert.deepEqual(await snapshotDatabase(server.ctx.db, dialect), before);
    });

    it(`bounds resolution: a chain longer than ${MAX_GROUP_DEPTH} links is refused`, async () => {
      const chain: string[] = [];
      for (let i = 0; i <= MAX_GROUP_DEPTH + 1; i++) chain.push(await group(`tall-${i}`));
      for (let i = 0; i < MAX_GROUP_DEPTH; i++) assert.equal((await nest(chain[i]!, chain[i + 1]!)).status, 204);
      const refused = await nest(chain[MAX_GROUP_DEPTH]!, chain[MAX_GROUP_DEPTH + 1]!);
      assert.equal(refused.status, 409);
      assert.match(String(refused.body.error_description), /at most 16/);
    });

    it('deleting a role or a group takes its permissions away', async () => {
      const person = (await ok('POST', '/users', { email: 'temp@acme.test' })).id as string;
      const team = await group('temp-team');
      const temp = await role('temp', ['temp.use']);
      await ok('PUT', `/groups/${team}/roles/${temp}`);
      await ok('PUT', `/groups/${team}/members/${person}`);
      assert.deepEqual((await ok('GET', `/users/${person}/access`)).permissions, ['temp.use']);
      await ok('DELETE', `/roles/${temp}`);
      assert.deepEqual((await ok('GET', `/users/${person}/access`)).permissions, []);
      await ok('DELETE', `/groups/${team}`);
      assert.deepEqual((await ok('GET', `/users/${person}/access`)).groups, []);
    });
  });
}
