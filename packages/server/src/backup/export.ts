/**
 * `latchkey export`: writes a whole deployment, or one tenant, as an export document (see `format.ts`), table
 * by table in pages, from one consistent read snapshot that does not block the running servers.
 */
import type { Latchkey } from '../context.ts';
import { describeTables } from '../db/introspection.ts';
import { backupQueries } from '../db/queries/backup.ts';
import { inReadSnapshot } from '../db/snapshot.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { EXPORT_FORMAT, EXPORT_VERSION } from './format.ts';
import type { ExportHeader } from './format.ts';
import { planTables, tenantCondition } from './plan.ts';

const PAGE_SIZE = 1000;

/** Receives the document piece by piece; awaiting it applies the destination's backpressure. */
export type Sink = (chunk: string) => Promise<void> | void;

export interface ExportSummary {
  readonly header: ExportHeader;
  readonly rows: Readonly<Record<string, number>>;
}

export async function exportDeployment(ctx: Latchkey, sink: Sink, tenant?: Tenant): Promise<ExportSummary> {
  return inReadSnapshot(ctx.db, ctx.dialect, async (db) => {
    const queries = backupQueries(db);
    const plans = planTables(await describeTables(db, ctx.dialect));
    const byName = new Map(plans.map((p) => [p.table.name, p]));
    const included = tenant ? plans.filter((p) => tenantCondition(byName, p.table.name, tenant.id) !== undefined) : plans;
    const header: ExportHeader = {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exported_at: new Date(ctx.now()).toISOString(),
      source: { dialect: ctx.dialect, migrations: await queries.appliedMigrations() },
      scope: tenant ? { type: 'tenant', tenant: tenant.slug, tenant_id: tenant.id } : { type: 'deployment' },
      omitted: plans.filter((p) => !included.includes(p)).map((p) => p.table.name),
    };
    const headerJson = JSON.stringify(header, null, 2);
    await sink(`${headerJson.slice(0, -2)},\n  "tables": {`);
    const rows: Record<string, number> = {};
    for (const [index, plan] of included.entries()) {
      const { name, primaryKey, columns } = plan.table;
      const orderBy = primaryKey.length > 0 ? primaryKey : columns;
      const where = tenant ? tenantCondition(byName, name, tenant.id) : undefined;
      await sink(`${index === 0 ? '' : ','}\n    ${JSON.stringify(name)}: [`);
      let count = 0;
      let after: unknown[] | undefined;
      for (;;) {
        const page = await queries.readPage(name, orderBy, where, after, PAGE_SIZE);
        if (page.length > 0) await sink(page.map((row) => `${count++ === 0 ? '' : ','}\n      ${JSON.stringify(row)}`).join(''));
        if (page.length < PAGE_SIZE) break;
        const last = page[page.length - 1]!;
        after = orderBy.map((column) => last[column]);
      }
      rows[name] = count;
      await sink(count === 0 ? ']' : '\n    ]');
    }
    await sink('\n  }\n}\n');
    return { header, rows };
  });
}
