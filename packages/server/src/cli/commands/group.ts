import { CLI_ACTOR, recordedChange } from '../../audit/recorded-change.ts';
import { groupQueries } from '../../db/queries/groups.ts';
import { addMember, createGroup, deleteGroup, describeGroup, nestGroup, removeMember, unnestGroup } from '../../directory/groups.ts';
import { requireTenantBySlug } from '../../directory/tenants.ts';
import { authorizeOnUser } from '../../admin/admin-authority.ts';
import { AS_OPTION, cliActor } from '../cli-actor.ts';
import { groupByRef, userByRef } from '../directory-refs.ts';
import { parseCommandArgs, print, requireOption, UsageError } from '../command.ts';
import type { Command } from '../command.ts';

export const groupCommand: Command = {
  name: 'group',
  usage: [
    'latchkey group create --tenant <slug> --name <name> [--description <text>] [--json]',
    '       latchkey group list --tenant <slug> [--json]',
    '       latchkey group delete --tenant <slug> --group <name|id> [--json]',
    '       latchkey group nest --tenant <slug> --group <name|id> --parent <name|id> [--json]',
    '       latchkey group unnest --tenant <slug> --group <name|id> --parent <name|id> [--json]',
    '       latchkey group add-member --tenant <slug> --group <name|id> --user <email|username|user id|client id> [--as <admin>] [--json]',
    '       latchkey group remove-member --tenant <slug> --group <name|id> --user <email|username|user id|client id> [--as <admin>] [--json]',
  ].join('\n'),
  summary: 'Groups: create, nest (several parents, no cycles), and manage members (people and service accounts)',
  async run(argv, context) {
    const [verb, ...rest] = argv;
    const { values } = parseCommandArgs(rest, { tenant: { type: 'string' }, name: { type: 'string' }, description: { type: 'string' }, group: { type: 'string' }, parent: { type: 'string' }, user: { type: 'string' }, ...AS_OPTION });
    if (!['create', 'list', 'delete', 'nest', 'unnest', 'add-member', 'remove-member'].includes(verb ?? '')) {
      throw new UsageError(verb ? `unknown group command "${verb}"` : 'a group command is required');
    }
    const ctx = await context.latchkey();
    const tenant = await requireTenantBySlug(ctx, requireOption(values.tenant, 'tenant'));
    const now = ctx.now();
    const target = (id: string) => ({ type: 'group', id });
    if (verb === 'create') {
      const group = await recordedChange(ctx, CLI_ACTOR, (db) => createGroup(db, tenant.id, { name: requireOption(values.name, 'name'), description: values.description }, now), (g) => ({ action: 'group.create', tenantId: tenant.id, target: target(g.id) }));
      print(context.io, values.json, describeGroup(group));
      return;
    }
    if (verb === 'list') {
      const page = await groupQueries(ctx.db).list(tenant.id, {}, { limit: 10_000 });
      print(context.io, values.json, page.data.map(describeGroup));
      return;
    }
    const group = await groupByRef(ctx, tenant, requireOption(values.group, 'group'));
    if (verb === 'delete') {
      await recordedChange(ctx, CLI_ACTOR, (db) => deleteGroup(db, tenant.id, group.id), () => ({ action: 'group.delete', tenantId: tenant.id, target: target(group.id) }));
      print(context.io, values.json, { deleted: describeGroup(group) });
      return;
    }
    if (verb === 'nest' || verb === 'unnest') {
      const parent = await groupByRef(ctx, tenant, requireOption(values.parent, 'parent'));
      await recordedChange<unknown>(
        ctx,
        CLI_ACTOR,
        (db) => (verb === 'nest' ? nestGroup(db, tenant.id, group.id, parent.id, now) : unnestGroup(db, tenant.id, group.id, parent.id)),
        () => ({ action: `group.${verb}`, tenantId: tenant.id, target: target(group.id), details: { parent_id: parent.id } }),
      );
      print(context.io, values.json, { group: group.name, parent: parent.name, nested: verb === 'nest' });
      return;
    }
    const user = await userByRef(ctx, tenant, requireOption(values.user, 'user'));
    const adding = verb === 'add-member';
    const { actor, audit } = await cliActor(ctx, values.as, tenant);
    await recordedChange<unknown>(
      ctx,
      audit,
      async (db) => {
        await authorizeOnUser(db, actor, user);
        return adding ? addMember(db, tenant.id, group.id, user.id, now) : removeMember(db, tenant.id, group.id, user.id);
      },
      () => ({ action: adding ? 'group.member.add' : 'group.member.remove', tenantId: tenant.id, target: { type: 'user', id: user.id }, details: { group_id: group.id } }),
    );
    print(context.io, values.json, { group: group.name, user_id: user.id, member: adding });
  },
};
