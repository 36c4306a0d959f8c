import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { planTables } from '../../../src/backup/plan.ts';
import type { TableInfo } from '../../../src/db/introspection.ts';

const table = (name: string, columns: string[], foreignKeys: Array<[string, string]> = []): TableInfo => ({
  name,
  columns,
  primaryKey: [columns[0]!],
  foreignKeys: foreignKeys.map(([column, target]) => ({ column, table: target, refColumn: 'id' })),
});

describe('backup plan', () => {
  const tables = [
    table('group_members', ['group_id', 'user_id'], [['group_id', 'groups'], ['user_id', 'users']]),
    table('groups', ['id', 'tenant_id'], [['tenant_id', 'tenants']]),
    table('partners', ['id']),
    table('refresh_tokens', ['id', 'client_id', 'parent_id'], [['client_id', 'clients'], ['parent_id', 'refresh_tokens']]),
    table('clients', ['client_id', 'tenant_id'], [['tenant_id', 'tenants']]),
    table('revoked_access_tokens', ['jti']),
    table('tenants', ['id', 'partner_id'], [['partner_id', 'partners']]),
    table('users', ['id', 'tenant_id'], [['tenant_id', 'tenants']]),
  ];

  it('orders every table after the tables it references', () => {
    const order = planTables(tables).map((p) => p.table.name);
    for (const t of tables) {
      for (const fk of t.foreignKeys) if (fk.table !== t.name) assert.ok(order.indexOf(fk.table) < order.indexOf(t.name), `${fk.table} before ${t.name}`);
    }
  });

  it('scopes tables to a tenant through tenant_id or a foreign key, and leaves the rest to the deployment', () => {
    const scopes = Object.fromEntries(planTables(tables).map((p) => [p.table.name, p.scope.kind]));
    assert.deepEqual(scopes, {
      partners: 'partner',
      tenants: 'tenant',
      groups: 'tenant_id',
      users: 'tenant_id',
      clients: 'tenant_id',
      group_members: 'via',
      refresh_tokens: 'via',
      revoked_access_tokens: 'none',
    });
    const refresh = planTables(tables).find((p) => p.table.name === 'refresh_tokens')!;
    assert.deepEqual(refresh.selfReferences.map((fk) => fk.column), ['parent_id']);
  });

  it('refuses foreign keys in a cycle', () => {
    assert.throws(() => planTables([table('a', ['id', 'b_id'], [['b_id', 'b']]), table('b', ['id', 'a_id'], [['a_id', 'a']])]), /cycle/);
  });
});
