/**
 * Admins act only downward, through the CLI: `--as <admin>` runs a command with that admin's rights and the
 * same rule as the admin API (issue 13). The table: actor × target's admin rights × command; every forbidden
 * cell exits 1 with the API's refusal and changes nothing, every allowed cell works, the audit event names the
 * admin. Without `--as` the operator (who owns the database) may do everything.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../../src/cli/main.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { createLatchkey } from '../../../src/context.ts';
import type { Latchkey } from '../../../src/context.ts';
import type { Tenant } from '../../../src/db/queries/tenants.ts';
import type { AdminRole } from '../../../src/db/schema.ts';
import { createClient } from '../../../src/directory/clients.ts';
import { createGroup } from '../../../src/directory/groups.ts';
import { createRole } from '../../../src/directory/roles.ts';
import { createTenant } from '../../../src/directory/tenants.ts';
import { createUser } from '../../../src/directory/users.ts';
import { createTestDatabase, DIALECTS } from '../../support/databases.ts';
import type { TestDatabase } from '../../support/databases.ts';
import { TEST_SECRET } from '../../support/server.ts';
import { snapshotDatabase } from '../../support/snapshot.ts';

type Rights = AdminRole | 'none';
const RANK: Record<Rights, number> = { none: 0, auditor: 1, tenant_admin: 2, partner_admin: 3, super_admin: 4 };

for (const dialect of DIALECTS) {
  describe(`latchkey --as: admins act only downward (${dialect})`, () => {
    let database: TestDatabase;
    let env: Record<string, string>;
    let ctx: Latchkey;
    let acme: Tenant;
    let ops: Tenant;

    before(async () => {
      database = await createTestDatabase(dialect);
      env = { LATCHKEY_DATABASE_URL: database.url, LATCHKEY_DATA_DIR: database.dir, LATCHKEY_SECRET: TEST_SECRET, LATCHKEY_BASE_URL: 'https://id.example.com', LATCHKEY_LOG_LEVEL: 'silent' };
      ctx = await createLatchkey(loadConfig(env));
      acme = await createTenant(ctx, { slug: 'acme' });
      ops = await createTenant(ctx, { slug: 'ops' });
      await createRole(ctx.db, acme.id, { name: 'reader', permissions: ['docs.read'] }, ctx.now());
      await createGroup(ctx.db, acme.id, { name: 'staff' }, ctx.now());
    });
    after(async () => {
      await ctx.close();
      await database.drop();
    });

    async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
      let stdout = '';
      let stderr = '';
      const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, env);
      return { code, stdout, stderr };
    }

    async function setAdminRole(userId: string, role: AdminRole | null): Promise<void> {
      await ctx.db.updateTable('users').set({ admin_role: role }).where('id', '=', userId).execute();
    }

    async function person(tenant: Tenant, rights: Rights): Promise<string> {
      const user = await createUser(ctx, tenant, { email: `p-${Math.random().toString(36).slice(2)}@${tenant.slug}.test` });
      if (rights !== 'none') await setAdminRole(user.id, rights);
      return user.id;
    }

    async function client(rights: Rights): Promise<{ clientId: string; userId: string }> {
      const { client: c } = await createClient(ctx, acme, { name: `c-${rights}`, scopes: rights === 'none' ? ['openid'] : ['openid', 'latchkey:admin'] });
      if (rights === 'super_admin') await setAdminRole(c.serviceUserId!, 'super_admin');
      return { clientId: c.clientId, userId: c.serviceUserId! };
    }

    const personCommands: Array<[string, (id: string) => string[]]> = [
      ['admin grant', (id) => ['admin', 'grant', '--tenant', 'acme', '--user', id, '--role', 'tenant_admin']],
      ['admin revoke', (id) => ['admin', 'revoke', '--tenant', 'acme', '--user', id]],
      ['user disable', (id) => ['user', 'disable', '--tenant', 'acme', id]],
      ['user set-password', (id) => ['user', 'set-password', '--tenant', 'acme', id, '--password', 'a brand new password']],
      ['role assign', (id) => ['role', 'assign', '--tenant', 'acme', '--role', 'reader', '--user', id]],
      ['group add-member', (id) => ['group', 'add-member', '--tenant', 'acme', '--group', 'staff', '--user', id]],
      ['apikey create', (id) => ['apikey', 'create', '--tenant', 'acme', '--owner', id]],
    ];
    const clientCommands: Array<[string, (clientId: string) => string[]]> = [
      ['client rotate-secret', (id) => ['client', 'rotate-secret', id]],
      ['admin revoke (service account)', (id) => ['admin', 'revoke', '--tenant', 'acme', '--user', id]],
      ['role assign (service account)', (id) => ['role', 'assign', '--tenant', 'acme', '--role', 'reader', '--user', id]],
      ['apikey create (service account)', (id) => ['apikey', 'create', '--tenant', 'acme', '--owner', id]],
    ];

    it('refuses every command on a principal above the --as admin (exit 1, nothing changes) and runs the rest', async () => {
      const tenantAdminPerson = await person(acme, 'tenant_admin');
      const adminClient = await client('tenant_admin');
      const actors: Array<[string, string, AdminRole]> = [
        ['tenant_admin person', tenantAdminPerson, 'tenant_admin'],
        ['tenant_admin client', adminClient.clientId, 'tenant_admin'],
        ['super_admin person of another tenant', await person(ops, 'super_admin'), 'super_admin'],
      ];
      let forbidden = 0;
      for (const [actorName, as, actorRights] of actors) {
        for (const rights of ['none', 'tenant_admin', 'super_admin'] as const) {
          const cells: Array<[string, string[]]> = [];
          for (const [name, argv] of personCommands) cells.push([name, argv(await person(acme, rights))]);
          for (const [name, argv] of clientCommands) cells.push([name, argv((await client(rights)).clientId)]);
          for (const [name, argv] of cells) {
            const cell = `${actorName} × ${rights} × ${name}`;
            const before = await snapshotDatabase(ctx.db, dialect);
            const result = await cli(...argv, '--as', as, '--json');
            if (RANK[rights] > RANK[actorRights]) {
              forbidden++;
              assert.equal(result.code, 1, `${cell}: ${result.stdout}`);
              assert.match(result.stderr, /above this admin's tenant_admin/, cell);
              assert.deepEqual(await snapshotDatabase(ctx.db, dialect), before, `${cell} changed the database`);
            } else {
              assert.equal(result.code, 0, `${cell}: ${result.stderr}`);
            }
          }
        }
      }
      assert.equal(forbidden, 2 * (personCommands.length + clientCommands.length));
    });

    it('never grants above the --as admin, keeps it in its tenant, names it in the audit trail; the operator may do all', async () => {
      const tenantAdmin = await person(acme, 'tenant_admin');
      const plain = await person(acme, 'none');
      const grant = await cli('admin', 'grant', '--tenant', 'acme', '--user', plain, '--role', 'super_admin', '--as', tenantAdmin);
      assert.equal(grant.code, 1);
      assert.match(grant.stderr, /would hold super_admin rights/);
      const adminScope = await cli('client', 'create', '--tenant', 'acme', '--name', 'x', '--scope', 'latchkey:admin', '--as', await person(acme, 'none'));
      assert.equal(adminScope.code, 1, 'a user without an admin role acts as nobody');
      const otherTenant = await cli('user', 'disable', '--tenant', 'ops', await person(ops, 'none'), '--as', tenantAdmin);
      assert.equal(otherTenant.code, 1);
      assert.match(otherTenant.stderr, /no such tenant/);

      assert.equal((await cli('admin', 'grant', '--tenant', 'acme', '--user', plain, '--role', 'tenant_admin', '--as', tenantAdmin)).code, 0);
      const tail = JSON.parse((await cli('audit', 'tail', '--action', 'admin.grant', '--lines', '1', '--json')).stdout) as Record<string, unknown>;
      assert.deepEqual([tail.actor_type, tail.actor_id, tail.target_id], ['user', tenantAdmin, plain]);

      const superClient = await client('super_admin');
      assert.equal((await cli('client', 'rotate-secret', superClient.clientId, '--json')).code, 0);
      assert.equal((await cli('admin', 'grant', '--tenant', 'acme', '--user', plain, '--role', 'super_admin', '--json')).code, 0);
    });
  });
}
