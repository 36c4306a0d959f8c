import { recordedChange } from '../../audit/recorded-change.ts';
import { enrolmentReport, listUserFactors, removeUserFactor, resetUserFactors } from '../../authentication/factor-admin.ts';
import { requireTenantBySlug } from '../../directory/tenants.ts';
import { authorizeOnUser } from '../../admin/admin-authority.ts';
import { AS_OPTION, cliActor } from '../cli-actor.ts';
import { userByRef } from '../directory-refs.ts';
import { parseCommandArgs, print, requireOption, UsageError } from '../command.ts';
import type { Command } from '../command.ts';

/** Second factors from the command line: the same operations, rule and audit events as the admin API. */
export const mfaCommand: Command = {
  name: 'mfa',
  usage: [
    'latchkey mfa factors --tenant <slug> <user id|email|username> [--json]   (never shows a secret)',
    '       latchkey mfa remove --tenant <slug> <user> <factor id> [--as <admin>] [--json]',
    '       latchkey mfa reset --tenant <slug> <user> [--as <admin>] [--json]   (removes every factor and recovery code)',
    '       latchkey mfa report --tenant <slug> [--json]',
  ].join('\n'),
  summary: 'List, remove and reset users’ second factors; the tenant’s MFA enrolment report (policy: latchkey tenant update --set mfa.policy=…)',
  async run(argv, context) {
    const [verb, ...rest] = argv;
    if (verb === 'report') {
      const { values } = parseCommandArgs(rest, { tenant: { type: 'string' } });
      const ctx = await context.latchkey();
      print(context.io, values.json, await enrolmentReport(ctx.db, await requireTenantBySlug(ctx, requireOption(values.tenant, 'tenant'))));
      return;
    }
    if (verb === 'factors' || verb === 'remove' || verb === 'reset') {
      const { values, positionals } = parseCommandArgs(rest, { tenant: { type: 'string' }, ...AS_OPTION }, verb === 'remove' ? 2 : 1);
      const ctx = await context.latchkey();
      const tenant = await requireTenantBySlug(ctx, requireOption(values.tenant, 'tenant'));
      if (!positionals[0]) throw new UsageError('the user is required (id, email or username)');
      const user = await userByRef(ctx, tenant, positionals[0]);
      if (verb === 'factors') {
        print(context.io, values.json, await listUserFactors(ctx.db, user.id));
        return;
      }
      const { actor, audit } = await cliActor(ctx, values.as as string | undefined, tenant);
      await authorizeOnUser(ctx.db, actor, user);
      if (verb === 'remove') {
        if (!positionals[1]) throw new UsageError('the factor id is required (see latchkey mfa factors)');
        const factorId = positionals[1];
        const removed = await recordedChange(ctx, audit, (db) => removeUserFactor(db, user.id, factorId), (f) => ({ action: 'user.mfa.remove', tenantId: tenant.id, target: { type: 'user', id: user.id }, details: { factor: f.type, factor_id: f.id, by: 'admin' } }));
        print(context.io, values.json, removed);
        return;
      }
      const reset = await recordedChange(ctx, audit, (db) => resetUserFactors(db, user.id), (result) => ({ action: 'user.mfa.reset', tenantId: tenant.id, target: { type: 'user', id: user.id }, details: result }));
      print(context.io, values.json, reset);
      return;
    }
    throw new UsageError(verb ? `unknown mfa command "${verb}"` : 'an mfa command is required');
  },
};
