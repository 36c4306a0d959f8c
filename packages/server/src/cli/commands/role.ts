import { CLI_ACTOR, recordedChange } from '../../audit/recorded-change.ts';
import type { Database } from '../../db/database.ts';
import { roleQueries } from '../../db/queries/roles.ts';
import { assignRoleToGroup, assignRoleToUser, createRole, deleteRole, describeRole, unassignRoleFromGroup, unassignRoleFromUser, updateRole } from '../../directory/roles.ts';
import { requireTenantBySlug } from '../../directory/tenants.ts';
import { authorizeOnUser } from '../../admin/admin-authority.ts';
import { AS_OPTION, cliActor } from '../cli-actor.ts';
import { groupByRef, roleByRef, userByRef } from '../directory-refs.ts';
import { parseCommandArgs, print, requireOption, UsageError } from '../command.ts';
import type { Command } from '../command.ts';

export const roleCommand: Command = {
  name: 'role',
  usage: [
    'latchkey role create --tenant <slug> --name <name> [--permission <perm>]… [--description <text>] [--json]',
    '       latchkey role list --tenant <slug> [--json]',
    '       latchkey role set-permissions --tenant <slug> --role <name|id> [--permission <perm>]… [--json]',
    '       latchkey role delete --tenant <slug> --role <name|id> [--json]',
    '       latchkey role assign|unassign --tenant <slug> --role <name|id> (--user <email|username|id|client id> | --group <name|id>) [--as <admin>] [--json]',
  ].join('\n'),
  summary: 'Roles with permission strings, assigned to users, service accounts and groups',
  async run(argv, context) {
    const [verb, ...rest] = argv;
    const { values } = parseCommandArgs(rest, {
      tenant: { type: 'string' }, name: { type: 'string' }, description: { type: 'string' }, permission: { type: 'string', multiple: true },
      role: { type: 'string' }, user: { type: 'string' }, group: { type: 'string' }, ...AS_OPTION,
    });
    if (!['create', 'list', 'set-permissions', 'delete', 'assign', 'unassign'].includes(verb ?? '')) {
      throw new UsageError(verb ? `unknown role command "${verb}"` : 'a role command is required');
    }
    const ctx = await context.latchkey();
    const tenant = await requireTenantBySlug(ctx, requireOption(values.tenant, 'tenant'));
    const now = ctx.now();
    if (verb === 'create') {
      const role = await recordedChange(
        ctx, CLI_ACTOR,
        (db) => createRole(db, tenant.id, { name: requireOption(values.name, 'name'), description: values.description, permissions: values.permission ?? [] }, now),
        (r) => ({ action: 'role.create', tenantId: tenant.id, target: { type: 'role', id: r.id }, details: { permissions: r.permissions } }),
      );
      print(context.io, values.json, describeRole(role));
      return;
    }
    if (verb === 'list') {
      print(context.io, values.json, (await roleQueries(ctx.db).list(tenant.id, {}, { limit: 10_000 })).data.map(describeRole));
      return;
    }
    const role = await roleByRef(ctx, tenant, requireOption(values.role, 'role'));
    if (verb === 'set-permissions') {
      const updated = await recordedChange(ctx, CLI_ACTOR, (db) => updateRole(db, tenant.id, role.id, { permissions: values.permission ?? [] }, now), (r) => ({ action: 'role.update', tenantId: tenant.id, target: { type: 'role', id: r.id }, details: { permissions: r.permissions } }));
      print(context.io, values.json, describeRole(updated));
      return;
    }
    if (verb === 'delete') {
      await recordedChange(ctx, CLI_ACTOR, (db) => deleteRole(db, tenant.id, role.id), () => ({ action: 'role.delete', tenantId: tenant.id, target: { type: 'role', id: role.id } }));
      print(context.io, values.json, { deleted: describeRole(role) });
      return;
    }
    if ((values.user === undefined) === (values.group === undefined)) throw new UsageError('give exactly one of --user and --group');
    const assign = verb === 'assign';
    const action = assign ? 'role.assign' : 'role.unassign';
    if (values.user !== undefined) {
      const user = await userByRef(ctx, tenant, values.user);
      const { actor, audit } = await cliActor(ctx, values.as, tenant);
      const change = async (db: Database) => {
        await authorizeOnUser(db, actor, user);
        return assign ? assignRoleToUser(db, tenant.id, user.id, role.id, now) : unassignRoleFromUser(db, tenant.id, user.id, role.id);
      };
      await recordedChange<unknown>(ctx, audit, change, () => ({ action, tenantId: tenant.id, target: { type: 'user', id: user.id }, details: { role_id: role.id } }));
      print(context.io, values.json, { role: role.name, user_id: user.id, assigned: assign });
      return;
    }
    const group = await groupByRef(ctx, tenant, values.group!);
    await recordedChange<unknown>(ctx, CLI_ACTOR, (db) => (assign ? assignRoleToGroup(db, tenant.id, group.id, role.id, now) : unassignRoleFromGroup(db, tenant.id, group.id, role.id)), () => ({ action, tenantId: tenant.id, target: { type: 'group', id: group.id }, details: { role_id: role.id } }));
    print(context.io, values.json, { role: role.name, group: group.name, assigned: assign });
  },
};
