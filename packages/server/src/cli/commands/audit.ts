import { setTimeout as sleep } from 'node:timers/promises';
import { auditEventQueries } from '../../db/queries/audit-events.ts';
import { describeAuditEvent } from '../../admin/audit-events.ts';
import { requireTenantBySlug } from '../../directory/tenants.ts';
import { parseCommandArgs, UsageError } from '../command.ts';
import type { Command } from '../command.ts';

const POLL_MS = 1000;

export const auditCommand: Command = {
  name: 'audit',
  usage: 'latchkey audit tail [--tenant <slug>] [--action <action>] [--lines <n>] [--follow] [--json]',
  summary: 'Show the latest audit events (admin changes, security events); --follow keeps printing new ones',
  async run(argv, context) {
    const [verb, ...rest] = argv;
    if (verb !== 'tail') throw new UsageError(verb ? `unknown audit command "${verb}"` : 'an audit command is required');
    const { values } = parseCommandArgs(rest, { tenant: { type: 'string' }, action: { type: 'string' }, lines: { type: 'string' }, follow: { type: 'boolean' } });
    const lines = values.lines === undefined ? 20 : Number(values.lines);
    if (!Number.isInteger(lines) || lines < 1 || lines > 1000) throw new UsageError('--lines must be a whole number from 1 to 1000');
    const ctx = await context.latchkey();
    const tenantId = values.tenant === undefined ? undefined : (await requireTenantBySlug(ctx, values.tenant)).id;
    const queries = auditEventQueries(ctx.db);
    const filter = { tenantId, action: values.action };
    const show = (row: Parameters<typeof describeAuditEvent>[0]) => {
      const event = describeAuditEvent(row);
      // One event per line: JSON Lines with --json, a readable line otherwise.
      context.io.stdout(
        values.json
          ? `${JSON.stringify(event)}\n`
          : `${event.occurred_at} ${event.outcome === 'success' ? 'ok  ' : 'FAIL'} ${event.action} actor=${event.actor_type ?? '-'}:${event.actor_id ?? '-'} target=${event.target_type ?? '-'}:${event.target_id ?? '-'} tenant=${event.tenant_id ?? '-'}${event.ip ? ` ip=${event.ip}` : ''}\n`,
      );
    };
    const latest = await queries.latest(filter, lines);
    for (const row of latest) show(row);
    let cursor = latest.at(-1)?.id;
    while (values.follow) {
      await sleep(POLL_MS);
      const page = await queries.list(filter, { limit: 200, cursor });
      for (const row of page.data) show(row);
      cursor = page.data.at(-1)?.id ?? cursor;
    }
  },
};
