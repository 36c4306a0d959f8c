import { recordedChange } from '../../audit/recorded-change.ts';
import type { Latchkey } from '../../context.ts';
import type { Tenant } from '../../db/queries/tenants.ts';
import { requireTenantBySlug } from '../../directory/tenants.ts';
import { createUser, describeUser, findUserByLogin, requireUser, setUserPassword, setUserStatus } from '../../directory/users.ts';
import type { User } from '../../directory/users.ts';
import { signOutUser } from '../../directory/user-sign-out.ts';
import { authorizeOnUser } from '../../admin/admin-authority.ts';
import { AS_OPTION, cliActor } from '../cli-actor.ts';
import { parseCommandArgs, print, requireOption, UsageError } from '../command.ts';
import type { Command } from '../command.ts';

/** A person of the tenant by id (`usr_…`), email or username. */
async function findPerson(ctx: Latchkey, tenant: Tenant, who: string | undefined): Promise<User> {
  if (!who) throw new UsageError('the user is required (id, email or username)');
  if (who.startsWith('usr_')) return requireUser(ctx.db, tenant.id, who);
  const user = await findUserByLogin(ctx.db, tenant.id, who);
  if (!user) throw new UsageError(`no user "${who}" in tenant ${tenant.slug}`);
  return user;
}

export const userCommand: Command = {
  name: 'user',
  usage: [
    'latchkey user create --tenant <slug> --email <email> --password <password> [--username <name>] [--first-name <name>] [--last-name <name>] [--json]',
    '       latchkey user list --tenant <slug> [--json]',
    '       latchkey user set-password --tenant <slug> <id|email|username> --password <password> [--as <admin>] [--json]',
    '       latchkey user disable --tenant <slug> <id|email|username> [--as <admin>] [--json]',
    '       latchkey user enable --tenant <slug> <id|email|username> [--as <admin>] [--json]',
    '       latchkey user sign-out --tenant <slug> <id|email|username> [--as <admin>] [--json]   (ends every session and grant; so does set-password)',
  ].join('\n'),
  summary: 'Create people who sign in, list them, set passwords, disable and enable accounts, sign them out',
  async run(argv, context) {
    const [verb, ...rest] = argv;
    if (verb === 'create') {
      const { values } = parseCommandArgs(rest, {
        tenant: { type: 'string' },
        email: { type: 'string' },
        username: { type: 'string' },
        password: { type: 'string' },
        'first-name': { type: 'string' },
        'last-name': { type: 'string' },
        'display-name': { type: 'string' },
      });
      const slug = requireOption(values.tenant, 'tenant');
      if (!values.email && !values.username) throw new UsageError('--email or --username is required');
      const ctx = await context.latchkey();
      const tenant = await requireTenantBySlug(ctx, slug);
      const user = await createUser(ctx, tenant, {
        email: values.email ?? null,
        username: values.username ?? null,
        password: values.password ?? null,
        firstName: values['first-name'] ?? null,
        lastName: values['last-name'] ?? null,
        displayName: values['display-name'] ?? null,
      });
      print(context.io, values.json, describeUser(user));
      return;
    }
    if (verb === 'list') {
      const { values } = parseCommandArgs(rest, { tenant: { type: 'string' } });
      const ctx = await context.latchkey();
      const tenant = await requireTenantBySlug(ctx, requireOption(values.tenant, 'tenant'));
      const users = await ctx.db.selectFrom('users').selectAll().where('tenant_id', '=', tenant.id).where('kind', '=', 'person').orderBy('id').execute();
      print(context.io, values.json, users.map(describeUser));
      return;
    }
    if (verb === 'set-password' || verb === 'disable' || verb === 'enable') {
      const { values, positionals } = parseCommandArgs(rest, { tenant: { type: 'string' }, ...AS_OPTION, ...(verb === 'set-password' ? { password: { type: 'string' } } : {}) }, 1);
      const ctx = await context.latchkey();
      const tenant = await requireTenantBySlug(ctx, requireOption(values.tenant, 'tenant'));
      const user = await findPerson(ctx, tenant, positionals[0]);
      await authorizeOnUser(ctx.db, (await cliActor(ctx, values.as as string | undefined, tenant)).actor, user);
      if (verb === 'set-password') await setUserPassword(ctx, user, requireOption(values.password as string | undefined, 'password'));
      else await setUserStatus(ctx, user, verb === 'disable' ? 'disabled' : 'active');
      print(context.io, values.json, describeUser(await requireUser(ctx.db, tenant.id, user.id)));
      return;
    }
    if (verb === 'sign-out') {
      const { values, positionals } = parseCommandArgs(rest, { tenant: { type: 'string' }, ...AS_OPTION }, 1);
      const ctx = await context.latchkey();
      const tenant = await requireTenantBySlug(ctx, requireOption(values.tenant, 'tenant'));
      const user = await findPerson(ctx, tenant, positionals[0]);
      const { actor, audit } = await cliActor(ctx, values.as as string | undefined, tenant);
      await authorizeOnUser(ctx.db, actor, user);
      const signedOut = await recordedChange(ctx, audit, (db) => signOutUser(db, user.id, ctx.now()), (result) => ({ action: 'user.sign_out', tenantId: tenant.id, target: { type: 'user', id: user.id }, details: { signed_out: result } }));
      print(context.io, values.json, { sessions_ended: signedOut.sessions, grants_revoked: signedOut.grants });
      return;
    }
    throw new UsageError(verb ? `unknown user command "${verb}"` : 'a user command is required');
  },
};
