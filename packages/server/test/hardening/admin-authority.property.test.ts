/**
 * A property test of "admins act only downward" (issue 13, acceptance): fast-check generates random sequences
 * of admin operations (create, promote, demote, edit, delete users; create, re-scope, redirect, rotate, delete
 * clients; make a client's service account an admin; assign roles; create API keys), each by a principal of a
 * random role, sent over HTTP to a real server. After every step two invariants hold, checked against the
 * database by an oracle written here independently of `admin-authority.ts`:
 *  1. no operation by a lower role changes a higher-role principal: every principal whose rights were above the
 *     actor's before the call is byte-for-byte unchanged after it (its user row, client row, roles, groups and
 *     API keys), whatever the call aimed at;
 *  2. no principal ends with rights above its creator's: a principal's rights never exceed the rights of whoever
 *     created it or last changed it (the seeded principals start at their seeded rights).
 * Also: no call answers 5xx. Bounded: a few dozen runs of up to a dozen operations, well under a minute.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { adminRequest } from '../support/admin.ts';
import { basicAuth, json, postForm } from '../support/http.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { createClient } from '../../src/directory/clients.ts';
import type { Client } from '../../src/db/queries/clients.ts';
import { createUser } from '../../src/directory/users.ts';
import { createRole } from '../../src/directory/roles.ts';
import { issueAccessToken } from '../../src/tokens/access-token.ts';
import type { Tenant } from '../../src/db/queries/tenants.ts';
import type { AdminRole } from '../../src/db/schema.ts';

type Rights = AdminRole | 'none';
const RANK: Record<Rights, number> = { none: 0, auditor: 1, tenant_admin: 2, partner_admin: 3, super_admin: 4 };
const ROLES = ['none', 'tenant_admin', 'partner_admin', 'super_admin'] as const;
const max = (a: Rights, b: Rights): Rights => (RANK[a] >= RANK[b] ? a : b);

/** A principal the run knows about: a person, or a client (with its service account and, once seen, its secret). */
interface Principal {
  readonly userId: string;
  readonly clientId?: string;
  secret?: string;
  /** The rights of whoever created it or last changed it: its own may not exceed them. */
  ceiling: Rights;
}

type Step =
  | { op: 'createUser'; actor: number; role: Rights }
  | { op: 'setUserRole' | 'setServiceAccountRole'; actor: number; target: number; role: Rights }
  | { op: 'editUser' | 'deleteUser' | 'assignRole' | 'apiKey' | 'rotate' | 'redirect' | 'deleteClient'; actor: number; target: number }
  | { op: 'createClient' | 'setClientScopes'; actor: number; target: number; admin: boolean };

const index = fc.nat({ max: 50 });
const role = fc.constantFrom<Rights>(...ROLES);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('createUser' as const), actor: index, role }),
  fc.record({ op: fc.constantFrom('setUserRole' as const, 'setServiceAccountRole' as const), actor: index, target: index, role }),
  fc.record({ op: fc.constantFrom('editUser' as const, 'deleteUser' as const, 'assignRole' as const, 'apiKey' as const, 'rotate' as const, 'redirect' as const, 'deleteClient' as const), actor: index, target: index }),
  fc.record({ op: fc.constantFrom('createClient' as const, 'setClientScopes' as const), actor: index, target: index, admin: fc.boolean() }),
);

describe('admins act only downward: random sequences of admin operations (property-based)', () => {
  let server: TestServer;
  let ops: Tenant;
  let rootId: string;
  let runs = 0;

  before(async () => {
    server = await startTestServer('sqlite', { LATCHKEY_ADMIN_RATE_LIMIT_PER_PRINCIPAL: '0' });
    ops = await createTenant(server.ctx, { slug: 'ops' });
    rootId = (await createUser(server.ctx, ops, { email: 'root@ops.test' })).id;
    await server.ctx.db.updateTable('users').set({ admin_role: 'super_admin' }).where('id', '=', rootId).execute();
  });
  after(() => server.stop());

  /** The oracle: rights from the stored rows (a person's admin_role; a client's service account role, or tenant_admin with the admin scope). */
  async function rightsOf(p: Principal): Promise<Rights | undefined> {
    const user = await server.ctx.db.selectFrom('users').select(['admin_role', 'kind']).where('id', '=', p.userId).executeTakeFirst();
    if (!user) return undefined;
    if (p.clientId === undefined) return user.admin_role ?? 'none';
    const client = await server.ctx.db.selectFrom('clients').select('scopes').where('client_id', '=', p.clientId).executeTakeFirst();
    if (!client) return undefined;
    return max(user.admin_role ?? 'none', (JSON.parse(client.scopes) as string[]).includes('latchkey:admin') ? 'tenant_admin' : 'none');
  }

  /** Everything stored about a principal, to prove it did not change. */
  async function fingerprint(p: Principal): Promise<string> {
    const db = server.ctx.db;
    const [user, client, roles, groups, keys] = await Promise.all([
      db.selectFrom('users').selectAll().where('id', '=', p.userId).executeTakeFirst(),
      p.clientId === undefined ? undefined : db.selectFrom('clients').selectAll().where('client_id', '=', p.clientId).executeTakeFirst(),
      db.selectFrom('user_roles').selectAll().where('user_id', '=', p.userId).orderBy('role_id').execute(),
      db.selectFrom('group_members').selectAll().where('user_id', '=', p.userId).orderBy('group_id').execute(),
      db.selectFrom('api_keys').selectAll().where('owner_user_id', '=', p.userId).orderBy('id').execute(),
    ]);
    return JSON.stringify({ user, client, roles, groups, keys });
  }

  it('never lets a lower role change a higher principal, nor a principal rise above its makers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const tenant = await createTenant(server.ctx, { slug: `run-${++runs}` });
        const path = `/tenants/${tenant.slug}`;
        const { client: console_ } = await createClient(server.ctx, tenant, { name: 'console', type: 'public', redirectUris: ['http://127.0.0.1/cb'], scopes: ['openid', 'latchkey:admin'] });
        const roleId = (await createRole(server.ctx.db, tenant.id, { name: 'reader', permissions: ['docs.read'] }, server.ctx.now())).id;
        const tenantAdmin = (await createUser(server.ctx, tenant, { email: 'admin@run.test' })).id;
        const superHere = (await createUser(server.ctx, tenant, { email: 'super@run.test' })).id;
        const plain = (await createUser(server.ctx, tenant, { email: 'plain@run.test' })).id;
        const bot = await createClient(server.ctx, tenant, { name: 'bot', scopes: ['latchkey:admin'] });
        // The operator's automation (a super_admin client) and a client whose super_admin service account may not ask for the admin scope yet.
        const superBot = await createClient(server.ctx, tenant, { name: 'super bot', scopes: ['latchkey:admin'] });
        const dormant = await createClient(server.ctx, tenant, { name: 'dormant', scopes: ['openid'] });
        for (const [id, role] of [[tenantAdmin, 'tenant_admin'], [superHere, 'super_admin'], [superBot.client.serviceUserId!, 'super_admin'], [dormant.client.serviceUserId!, 'super_admin']] as const) {
          await server.ctx.db.updateTable('users').set({ admin_role: role }).where('id', '=', id).execute();
        }
        const principals: Principal[] = [
          { userId: rootId, ceiling: 'super_admin' },
          { userId: tenantAdmin, ceiling: 'tenant_admin' },
          { userId: bot.client.serviceUserId!, clientId: bot.client.clientId, secret: bot.clientSecret!, ceiling: 'tenant_admin' },
          { userId: superHere, ceiling: 'super_admin' },
          { userId: plain, ceiling: 'none' },
          { userId: superBot.client.serviceUserId!, clientId: superBot.client.clientId, secret: superBot.clientSecret!, ceiling: 'super_admin' },
          { userId: dormant.client.serviceUserId!, clientId: dormant.client.clientId, secret: dormant.clientSecret!, ceiling: 'super_admin' },
        ];

        /** A Bearer token for the actor: minted for a person, client_credentials over HTTP for a client. */
        async function tokenOf(actor: Principal): Promise<string | undefined> {
          if (actor.clientId === undefined) {
            const home = actor.userId === rootId ? ops : tenant;
            const client: Client = actor.userId === rootId ? (await createClient(server.ctx, ops, { name: 'c', type: 'public', redirectUris: ['http://127.0.0.1/cb'], scopes: ['latchkey:admin'] })).client : console_;
            return (await issueAccessToken(server.ctx, { tenant: home, client, subject: actor.userId, scope: ['latchkey:admin'] })).token;
          }
          if (actor.secret === undefined) return undefined;
          const response = await postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', scope: 'latchkey:admin' }, { authorization: basicAuth(actor.clientId, actor.secret) });
          return response.status === 200 ? ((await json(response)).access_token as string) : undefined;
        }

        for (const s of steps) {
          const actor = principals[s.actor % principals.length]!;
          const actorRights = (await rightsOf(actor)) ?? 'none';
          const token = await tokenOf(actor);
          if (token === undefined) continue;
          const clients = principals.filter((p) => p.clientId !== undefined);
          const target = 'target' in s ? principals[s.target % principals.length]! : undefined;
          const clientTarget = 'target' in s && clients.length > 0 ? clients[s.target % clients.length]! : undefined;

          // Invariant 1, before: fingerprint every principal above the actor.
          const above: Array<[Principal, string]> = [];
          for (const p of principals) {
            const rights = await rightsOf(p);
            if (rights !== undefined && RANK[rights] > RANK[actorRights]) above.push([p, await fingerprint(p)]);
          }

          let request: [string, string, unknown?] | undefined;
          let changed: Principal | undefined;
          switch (s.op) {
            case 'createUser':
              request = ['POST', `${path}/users`, { email: `u${Math.random().toString(36).slice(2)}@run.test`, admin_role: s.role === 'none' ? null : s.role }];
              break;
            case 'setUserRole':
              request = ['PATCH', `${path}/users/${target!.userId}`, { admin_role: s.role === 'none' ? null : s.role }];
              changed = target;
              break;
            case 'setServiceAccountRole':
              if (!clientTarget) continue;
              request = ['PATCH', `${path}/users/${clientTarget.userId}`, { admin_role: s.role === 'none' ? null : s.role }];
              changed = clientTarget;
              break;
            case 'editUser':
              request = ['PATCH', `${path}/users/${target!.userId}`, { display_name: 'edited', status: 'active' }];
              changed = target;
              break;
            case 'deleteUser':
              request = ['DELETE', `${path}/users/${target!.userId}`];
              changed = target;
              break;
            case 'assignRole':
              request = ['PUT', `${path}/users/${target!.userId}/roles/${roleId}`];
              changed = target;
              break;
            case 'apiKey':
              request = ['POST', `${path}/api-keys`, { owner_user_id: target!.userId }];
              changed = target;
              break;
            case 'createClient':
              request = ['POST', `${path}/clients`, { name: 'made', scopes: s.admin ? ['latchkey:admin'] : ['openid'] }];
              break;
            case 'setClientScopes':
              if (!clientTarget) continue;
              request = ['PATCH', `${path}/clients/${clientTarget.clientId}`, { scopes: s.admin ? ['latchkey:admin'] : ['openid'] }];
              changed = clientTarget;
              break;
            case 'redirect':
              if (!clientTarget) continue;
              request = ['PATCH', `${path}/clients/${clientTarget.clientId}`, { redirect_uris: ['https://elsewhere.test/cb'] }];
              changed = clientTarget;
              break;
            case 'rotate':
              if (!clientTarget) continue;
              request = ['POST', `${path}/clients/${clientTarget.clientId}/secret`];
              changed = clientTarget;
              break;
            case 'deleteClient':
              if (!clientTarget) continue;
              request = ['DELETE', `${path}/clients/${clientTarget.clientId}`];
              changed = clientTarget;
              break;
          }
          const [method, url, body] = request;
          const response = await adminRequest(server, token, method, url, body);
          assert.ok(response.status < 500, `${s.op}: ${response.status} ${JSON.stringify(response.body)}`);

          if (response.status < 300) {
            if (s.op === 'createUser') principals.push({ userId: response.body.id as string, ceiling: actorRights });
            if (s.op === 'createClient') principals.push({ userId: response.body.service_account_id as string, clientId: response.body.client_id as string, secret: response.body.client_secret as string, ceiling: actorRights });
            if (s.op === 'rotate') clientTarget!.secret = response.body.client_secret as string;
            if (changed) changed.ceiling = actorRights;
          }

          // Invariant 1, after: nothing above the actor changed.
          for (const [p, before] of above) assert.equal(await fingerprint(p), before, `${s.op} by ${actorRights} changed a higher principal (${p.userId})`);
          // Invariant 2: no principal holds more than whoever made or changed it.
          for (const p of principals) {
            const rights = await rightsOf(p);
            if (rights !== undefined) assert.ok(RANK[rights] <= RANK[p.ceiling], `${p.clientId ?? p.userId} holds ${rights}, above its makers' ${p.ceiling} (after ${s.op})`);
          }
        }
      }),
      { numRuns: 25 },
    );
  });
});
