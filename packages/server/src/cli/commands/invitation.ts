/**
 * `latchkey invitation create|list|resend|revoke`: the admin API's invitations from the command line. The mail
 * is queued in the outbox with the change; a running server sends it (the command does not wait for SMTP).
 */
import { recordedChange } from '../../audit/recorded-change.ts';
import { invitationQueries } from '../../db/queries/invitations.ts';
import { requireTenantBySlug } from '../../directory/tenants.ts';
import { authorizeNewUser } from '../../admin/admin-authority.ts';
import { createInvitation, describeInvitation, resendInvitation, revokeInvitation } from '../../accounts/invitations.ts';
import { AS_OPTION, cliActor } from '../cli-actor.ts';
import { parseCommandArgs, print, requireOption, UsageError } from '../command.ts';
import type { Command } from '../command.ts';

export const invitationCommand: Command = {
  name: 'invitation',
  usage: [
    'latchkey invitation create --tenant <slug> --email <email> [--first-name <name>] [--last-name <name>] [--role <role>] [--as <admin>] [--json]',
    '       latchkey invitation list --tenant <slug> [--json]',
    '       latchkey invitation resend --tenant <slug> <invitation_id> [--as <admin>] [--json]   (a new link; the old one stops working)',
    '       latchkey invitation revoke --tenant <slug> <invitation_id> [--as <admin>] [--json]',
  ].join('\n'),
  summary: 'Invite people by email (they choose their own password through the mailed link); list, resend, revoke',
  async run(argv, context) {
    const [verb, ...rest] = argv;
    if (!['create', 'list', 'resend', 'revoke'].includes(verb ?? '')) throw new UsageError(verb ? `unknown invitation command "${verb}"` : 'an invitation command is required');
    const { values, positionals } = parseCommandArgs(
      rest,
      { tenant: { type: 'string' }, email: { type: 'string' }, 'first-name': { type: 'string' }, 'last-name': { type: 'string' }, role: { type: 'string' }, ...AS_OPTION },
      verb === 'resend' || verb === 'revoke' ? 1 : 0,
    );
    const ctx = await context.latchkey();
    const tenant = await requireTenantBySlug(ctx, requireOption(values.tenant, 'tenant'));
    const now = ctx.now();
    if (verb === 'list') {
      print(context.io, values.json, (await invitationQueries(ctx.db).list(tenant.id, { limit: 10_000 })).data.map((row) => describeInvitation(row, now)));
      return;
    }
    const { actor, audit } = await cliActor(ctx, values.as, tenant);
    if (verb === 'create') {
      const input = { email: requireOption(values.email, 'email'), firstName: values['first-name'], lastName: values['last-name'], role: values.role };
      authorizeNewUser(actor, null);
      const row = await recordedChange(ctx, audit, (db) => createInvitation(ctx, db, tenant, input, audit.id, now), (r) => ({ action: 'invitation.create', tenantId: tenant.id, target: { type: 'invitation', id: r.id }, details: { email: r.email } }));
      print(context.io, values.json, describeInvitation(row, now));
      if (!values.json) context.io.stderr('The invitation mail is queued; a running server sends it.\n');
      return;
    }
    const id = positionals[0];
    if (!id) throw new UsageError(`the invitation id is required: latchkey invitation ${verb} --tenant <slug> <invitation_id>`);
    const row =
      verb === 'resend'
        ? await recordedChange(ctx, audit, (db) => resendInvitation(ctx, db, tenant, id, now), (r) => ({ action: 'invitation.resend', tenantId: tenant.id, target: { type: 'invitation', id: r.id } }))
        : await recordedChange(ctx, audit, (db) => revokeInvitation(db, tenant, id, now), (r) => ({ action: 'invitation.revoke', tenantId: tenant.id, target: { type: 'invitation', id: r.id } }));
    print(context.io, values.json, describeInvitation(row, now));
  },
};
