import { CLI_ACTOR, recordedChange } from '../../audit/recorded-change.ts';
import { partnerQueries } from '../../db/queries/partners.ts';
import { createPartner, deletePartner, describePartner } from '../../directory/partners.ts';
import { parseCommandArgs, print, UsageError } from '../command.ts';
import type { Command } from '../command.ts';

export const partnerCommand: Command = {
  name: 'partner',
  usage: 'latchkey partner create <slug> [--name <name>] [--json]\n       latchkey partner list [--json]\n       latchkey partner delete <partner_id> [--json]',
  summary: 'Partners: service providers that own tenants (tenant create --partner places a tenant under one)',
  async run(argv, context) {
    const [verb, ...rest] = argv;
    if (verb === 'create') {
      const { values, positionals } = parseCommandArgs(rest, { name: { type: 'string' } }, 1);
      if (!positionals[0]) throw new UsageError('the partner slug is required: latchkey partner create <slug>');
      const ctx = await context.latchkey();
      const partner = await recordedChange(ctx, CLI_ACTOR, (db) => createPartner(db, { slug: positionals[0], name: values.name }, ctx.now()), (p) => ({ action: 'partner.create', tenantId: null, target: { type: 'partner', id: p.id } }));
      print(context.io, values.json, describePartner(partner));
      return;
    }
    if (verb === 'list') {
      const { values } = parseCommandArgs(rest, {});
      const ctx = await context.latchkey();
      const page = await partnerQueries(ctx.db).list({ limit: 1000 });
      print(context.io, values.json, page.data.map(describePartner));
      return;
    }
    if (verb === 'delete') {
      const { values, positionals } = parseCommandArgs(rest, {}, 1);
      if (!positionals[0]) throw new UsageError('the partner id is required: latchkey partner delete <partner_id>');
      const ctx = await context.latchkey();
      const partner = await recordedChange(ctx, CLI_ACTOR, (db) => deletePartner(db, positionals[0]!), (p) => ({ action: 'partner.delete', tenantId: null, target: { type: 'partner', id: p.id } }));
      print(context.io, values.json, { deleted: describePartner(partner) });
      return;
    }
    throw new UsageError(verb ? `unknown partner command "${verb}"` : 'a partner command is required');
  },
};
