/**
 * Which tables a backup carries, in which order, and which rows belong to one tenant, all derived from the
 * schema's foreign keys so tables added by later migrations are carried without changes here:
 * - order: a table comes after every table it references (self-references are ordered row by row on import);
 * - a tenant's rows: `tenants.id`, any `tenant_id` column, the tenant's partner, and otherwise a foreign key
 *   to a table already scoped to the tenant (`group_members.group_id` → `groups`). Tables with none of these
 *   (`revoked_access_tokens`) belong to the whole deployment only.
 */
import { sql } from 'kysely';
import type { RawBuilder, SqlBool } from 'kysely';
import type { ForeignKey, TableInfo } from '../db/introspection.ts';

export type TenantScope =
  | { readonly kind: 'tenant' }
  | { readonly kind: 'tenant_id' }
  | { readonly kind: 'partner' }
  | { readonly kind: 'via'; readonly foreignKey: ForeignKey }
  | { readonly kind: 'none' };

export interface TablePlan {
  readonly table: TableInfo;
  readonly scope: TenantScope;
  /** Foreign keys of the table to itself (rows must be inserted referenced-first). */
  readonly selfReferences: readonly ForeignKey[];
}

export function planTables(tables: readonly TableInfo[]): TablePlan[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const ordered: TableInfo[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.length) {
    const ready = tables.filter((t) => !placed.has(t.name) && t.foreignKeys.every((fk) => fk.table === t.name || placed.has(fk.table) || !byName.has(fk.table)));
    if (ready.length === 0) {
      const left = tables.filter((t) => !placed.has(t.name)).map((t) => t.name);
      throw new Error(`foreign keys form a cycle between ${left.join(', ')}; export cannot order them`);
    }
    for (const table of ready) {
      ordered.push(table);
      placed.add(table.name);
    }
  }
  const scopes = new Map<string, TenantScope>();
  const plans = ordered.map((table) => {
    const scope = scopeOf(table, scopes);
    scopes.set(table.name, scope);
    return { table, scope, selfReferences: table.foreignKeys.filter((fk) => fk.table === table.name) };
  });
  return plans;
}

function scopeOf(table: TableInfo, known: ReadonlyMap<string, TenantScope>): TenantScope {
  if (table.name === 'tenants') return { kind: 'tenant' };
  if (table.name === 'partners') return { kind: 'partner' };
  if (table.columns.includes('tenant_id')) return { kind: 'tenant_id' };
  const foreignKey = table.foreignKeys.find((fk) => fk.table !== table.name && (known.get(fk.table)?.kind ?? 'none') !== 'none' && fk.table !== 'partners');
  return foreignKey ? { kind: 'via', foreignKey } : { kind: 'none' };
}

/** The SQL condition selecting one tenant's rows of `table`, or undefined when the table has none. */
export function tenantCondition(plans: ReadonlyMap<string, TablePlan>, table: string, tenantId: string): RawBuilder<SqlBool> | undefined {
  const plan = plans.get(table);
  if (!plan) return undefined;
  const { scope } = plan;
  switch (scope.kind) {
    case 'tenant':
      return sql<SqlBool>`${sql.ref('id')} = ${tenantId}`;
    case 'tenant_id':
      return sql<SqlBool>`${sql.ref('tenant_id')} = ${tenantId}`;
    case 'partner':
      return sql<SqlBool>`${sql.ref('id')} in (select ${sql.ref('partner_id')} from ${sql.table('tenants')} where ${sql.ref('id')} = ${tenantId})`;
    case 'via': {
      const parent = tenantCondition(plans, scope.foreignKey.table, tenantId);
      if (!parent) return undefined;
      return sql<SqlBool>`${sql.ref(scope.foreignKey.column)} in (select ${sql.ref(scope.foreignKey.refColumn)} from ${sql.table(scope.foreignKey.table)} where ${parent})`;
    }
    case 'none':
      return undefined;
  }
}
