import { CLI_ACTOR, recordedChange } from '../../audit/recorded-change.ts';
import { tenantQueries } from '../../db/queries/tenants.ts';
import { describeTenant, insertTenant, provisionTenant } from '../../directory/tenants.ts';
import { parseCommandArgs, print, requireOption, UsageError } from '../command.ts';
import type { Command, CommandContext } from '../command.ts';

/** As `POST /admin/v1/tenants` does it: the partner checked, the tenant and its audit event in one transaction. */
async function createTenant(context: CommandContext, input: { slug: string; name?: string; partnerId?: string }) {
  const ctx = await context.latchkey();
  const row = await recordedChange(
    ctx,
    CLI_ACTOR,
    (db) => insertTenant(db, { slug: input.slug, name: input.name, partnerId: input.partnerId ?? null }, ctx.now()),
    (t) => ({ action: 'tenant.create', tenantId: t.id, target: { type: 'tenant', id: t.id } }),
  );
  return describeTenant(ctx, await provisionTenant(ctx, row));
}

export const tenantCommand: Command = {
  name: 'tenant',
  usage: 'latchkey tenant create <slug> [--name <name>] [--partner <partner_id>] [--json]\n       latchkey tenant list [--json]',
  summary: 'Create tenants (each tenant is an issuer), standalone or under a partner, and list them',
  async run(argv, context) {
    const [verb, ...rest] = argv;
    if (verb === 'create') {
      const { values, positionals } = parseCommandArgs(rest, { name: { type: 'string' }, partner: { type: 'string' } }, 1);
      const slug = positionals[0];
      if (!slug) throw new UsageError('the tenant slug is required: latchkey tenant create <slug>');
      const partnerId = values.partner === undefined ? undefined : requireOption(values.partner, 'partner');
      print(context.io, values.json, await createTenant(context, { slug, name: values.name, partnerId }));
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
