import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { exportDeployment } from '../../backup/export.ts';
import type { Sink } from '../../backup/export.ts';
import { requireTenantBySlug } from '../../directory/tenants.ts';
import { parseCommandArgs, print } from '../command.ts';
import type { Command } from '../command.ts';

export const exportCommand: Command = {
  name: 'export',
  usage: 'latchkey export [--tenant <slug>] [--output <file>] [--json]',
  summary: 'Write the whole deployment (or one tenant) as JSON; secrets stay hashed, signing keys stay encrypted',
  async run(argv, context) {
    const { values } = parseCommandArgs(argv, { tenant: { type: 'string' }, output: { type: 'string' } });
    const ctx = await context.latchkey();
    const tenant = values.tenant === undefined ? undefined : await requireTenantBySlug(ctx, values.tenant);
    const file = values.output === undefined || values.output === '-' ? undefined : createWriteStream(values.output, { mode: 0o600 });
    const sink: Sink = file
      ? async (chunk) => {
          if (!file.write(chunk)) await once(file, 'drain');
        }
      : (chunk) => context.io.stdout(chunk);
    const summary = await exportDeployment(ctx, sink, tenant);
    if (file) {
      file.end();
      await once(file, 'finish');
    }
    const report = { scope: summary.header.scope, rows: summary.rows, omitted: summary.header.omitted };
    // With the document on stdout, the summary goes to stderr.
    if (file) print(context.io, values.json, report);
    else context.io.stderr(`${JSON.stringify(report)}\n`);
  },
};
