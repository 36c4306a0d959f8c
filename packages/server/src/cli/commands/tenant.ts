import { tenantQueries } from '../../db/queries/tenants.ts';
import { createTenant, describeTenant } from '../../directory/tenants.ts';
import { parseCommandArgs, print, UsageError } from '../command.ts';
import type { Command } from '../command.ts';

export const tenantCommand: Command = {
  name: 'tenant',
  usage: 'latchkey tenant create <slug> [--name <name>] [--json]\n       latchkey tenant list [--json]',
  summary: 'Create and list tenants (each tenant is an issuer)',
  async run(argv, context) {
    const [verb, ...rest] = argv;
    if (verb === 'create') {
      const { values, positionals } = parseCommandArgs(rest, { name: { type: 'string' } }, 1);
      const slug = positionals[0];
      if (!slug) throw new UsageError('the tenant slug is required: latchkey tenant create <slug>');
      const ctx = await context.latchkey();
      const tenant = await createTenant(ctx, { slug, name: values.name });
      print(context.io, values.json, describeTenant(ctx, tenant));
      return;
    }
    if (verb === 'list') {
      const { values } = parseCommandArgs(rest, {});
      const ctx = await context.latchkey();
      const tenants = await tenantQueries(ctx.db).list();
      print(context.io, values.json, tenants.map((t) => describeTenant(ctx, t)));
      return;
    }
    throw new UsageError(verb ? `unknown tenant command "${verb}"` : 'a tenant command is required');
  },
};
