/**
 * `latchkey import`: loads an export document into this deployment's database in one transaction, after
 * checking that it can: the schema is at least as new as the export's, every table and column is known, the
 * master secret opens the exported signing keys, and nothing it holds exists here already (a whole deployment
 * goes into an empty database; a tenant into one without that tenant).
 */
import type { Latchkey } from '../context.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { describeTables } from '../db/introspection.ts';
import { backupQueries } from '../db/queries/backup.ts';
import type { Row } from '../db/queries/backup.ts';
import { Conflict, InvalidRequest, assert } from '../errors/oauth-error.ts';
import type { ExportDocument, ExportScope } from './format.ts';
import { planTables } from './plan.ts';
import type { TablePlan } from './plan.ts';

/** Rows per INSERT: below SQLite's and PostgreSQL's bound-parameter limits for any realistic column count. */
const MAX_PARAMETERS = 30_000;

export interface ImportSummary {
  readonly scope: ExportScope;
  readonly rows: Readonly<Record<string, number>>;
}

export async function importDeployment(ctx: Latchkey, document: ExportDocument): Promise<ImportSummary> {
  const queries = backupQueries(ctx.db);
  const applied = new Set(await queries.appliedMigrations());
  const newer = document.source.migrations.filter((m) => !applied.has(m));
  assert(newer.length === 0, new InvalidRequest(`the export comes from a newer Latchkey (migrations ${newer.join(', ')}); upgrade this deployment first`));

  const plans = planTables(await describeTables(ctx.db, ctx.dialect));
  checkTablesAndColumns(document, new Map(plans.map((p) => [p.table.name, p])));
  for (const row of document.tables.signing_keys ?? []) {
    assert(
      typeof row.private_jwe === 'string' && (await ctx.signingKeys.opens(row.private_jwe)),
      new InvalidRequest('this LATCHKEY_SECRET cannot open the exported signing keys: import with the secret of the deployment that exported them'),
    );
  }
  await checkTargetIsFree(ctx, document);

  const rows: Record<string, number> = {};
  try {
    await ctx.db.transaction().execute(async (trx) => {
      const insert = backupQueries(trx);
      for (const plan of plans) {
        const tableRows = document.tables[plan.table.name];
        if (!tableRows || tableRows.length === 0) continue;
        const ordered = orderSelfReferences(tableRows, plan);
        const batch = Math.max(1, Math.min(500, Math.floor(MAX_PARAMETERS / plan.table.columns.length)));
        // A tenant's partner may already exist here (it is shared by the partner's tenants).
        const ignoreConflicts = document.scope.type === 'tenant' && plan.scope.kind === 'partner';
        for (let i = 0; i < ordered.length; i += batch) await insert.insert(plan.table.name, ordered.slice(i, i + batch), { ignoreConflicts });
        rows[plan.table.name] = ordered.length;
      }
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new Conflict('the export holds rows that already exist in this database; nothing was imported', { cause: error });
    throw error;
  }
  ctx.signingKeys.invalidate();
  return { scope: document.scope, rows };
}

function checkTablesAndColumns(document: ExportDocument, plans: ReadonlyMap<string, TablePlan>): void {
  for (const [name, rows] of Object.entries(document.tables)) {
    const plan = plans.get(name);
    assert(plan !== undefined, new InvalidRequest(`the export has a table "${name.slice(0, 64)}" this Latchkey does not know`));
    const columns = new Set(plan.table.columns);
    for (const row of rows) {
      const unknown = Object.keys(row).find((column) => !columns.has(column));
      assert(unknown === undefined, new InvalidRequest(`table ${name} has no column "${String(unknown).slice(0, 64)}" here`));
    }
  }
}

async function checkTargetIsFree(ctx: Latchkey, document: ExportDocument): Promise<void> {
  const { scope } = document;
  if (scope.type === 'deployment') {
    const tenants = await backupQueries(ctx.db).count('tenants');
    assert(tenants === 0, new Conflict('this database already holds tenants: import a whole deployment into an empty database, or export and import tenants one by one'));
    return;
  }
  const existing = await ctx.db
    .selectFrom('tenants')
    .select('id')
    .where((eb) => eb.or([eb('id', '=', scope.tenant_id), eb('slug', '=', scope.tenant)]))
    .executeTakeFirst();
  assert(existing === undefined, new Conflict(`tenant "${scope.tenant}" already exists in this database`));
}

/** Rows of a table that references itself, parents first (ids in an export are all present or all absent). */
function orderSelfReferences(rows: readonly Row[], plan: TablePlan): readonly Row[] {
  if (plan.selfReferences.length === 0) return rows;
  const pending = [...rows];
  const ordered: Row[] = [];
  const inserted = new Map(plan.selfReferences.map((fk) => [fk.refColumn, new Set<unknown>()]));
  const present = new Map(plan.selfReferences.map((fk) => [fk.refColumn, new Set(rows.map((r) => r[fk.refColumn]))]));
  while (pending.length > 0) {
    const before = pending.length;
    for (let i = 0; i < pending.length; ) {
      const row = pending[i]!;
      const ready = plan.selfReferences.every((fk) => {
        const value = row[fk.column];
        return value === null || value === undefined || !present.get(fk.refColumn)!.has(value) || inserted.get(fk.refColumn)!.has(value);
      });
      if (!ready) {
        i++;
        continue;
      }
      ordered.push(row);
      for (const fk of plan.selfReferences) inserted.get(fk.refColumn)!.add(row[fk.refColumn]);
      pending.splice(i, 1);
    }
    if (pending.length === before) throw new InvalidRequest(`rows of ${plan.table.name} reference each other in a cycle`);
  }
  return ordered;
}
