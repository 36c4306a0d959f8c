import { recordedChange } from '../../audit/recorded-change.ts';
import { authorizeOnUser } from '../../admin/admin-authority.ts';
import type { AdminRole } from '../../db/schema.ts';
import { ADMIN_ROLES, updateUser } from '../../directory/user-changes.ts';
import { requireTenantBySlug } from '../../directory/tenants.ts';
import { describeUser } from '../../directory/users.ts';
import { AS_OPTION, cliActor } from '../cli-actor.ts';
import { userByRef } from '../directory-refs.ts';
import { parseCommandArgs, print, requireOption, UsageError } from '../command.ts';
import type { Command, CommandContext } from '../command.ts';
import { BOOTSTRAP_LINK_TTL_MS, issueBootstrapLink } from '../../directory/bootstrap.ts';
import { Conflict } from '../../errors/oauth-error.ts';

/** `admin bootstrap`: no default account exists; this prints a one-time link where the first super admin is made. */
async function bootstrap(argv: string[], context: CommandContext): Promise<void> {
  const { values } = parseCommandArgs(argv, { email: { type: 'string' } });
  const ctx = await context.latchkey();
  const link = await issueBootstrapLink(ctx, values.email ?? null);
  if (link === undefined) throw new Conflict('a super admin already exists: sign in to the console, or grant roles with `latchkey admin grant`');
  print(context.io, values.json, { link, expires_in_seconds: BOOTSTRAP_LINK_TTL_MS / 1000 }, () =>
    `Open this link once to create the first super admin${values.email ? ` (${values.email})` : ''}; it expires in 24 hours:\n${link}`);
}

export const adminCommand: Command = {
  name: 'admin',
  usage: [
    'latchkey admin grant --tenant <slug> --user <email|username|user id|client id> --role auditor|tenant_admin|partner_admin|super_admin [--as <admin>] [--json]',
    '       latchkey admin revoke --tenant <slug> --user <email|username|user id|client id> [--as <admin>] [--json]',
    '       latchkey admin bootstrap [--email <email>] [--json]   (a one-time console link to create the first super admin)',
  ].join('\n'),
  summary: 'Grant or revoke admin roles (the first super_admin is made here; later ones through the admin API too)',
  async run(argv, context) {
    const [verb, ...rest] = argv;
    if (verb === 'bootstrap') return bootstrap(rest, context);
    const { values } = parseCommandArgs(rest, { tenant: { type: 'string' }, user: { type: 'string' }, role: { type: 'string' }, ...AS_OPTION });
    if (verb !== 'grant' && verb !== 'revoke') throw new UsageError(verb ? `unknown admin command "${verb}"` : 'an admin command is required');
    let role: AdminRole | null = null;
    if (verb === 'grant') {
      const requested = requireOption(values.role, 'role');
      if (!(ADMIN_ROLES as readonly string[]).includes(requested)) throw new UsageError(`--role must be one of ${ADMIN_ROLES.join(', ')}`);
      role = requested as AdminRole;
    }
    const ctx = await context.latchkey();
    const tenant = await requireTenantBySlug(ctx, requireOption(values.tenant, 'tenant'));
    const { actor, audit } = await cliActor(ctx, values.as, tenant);
    const user = await userByRef(ctx, tenant, requireOption(values.user, 'user'));
    const updated = await recordedChange(
      ctx,
      audit,
      async (db) => {
        await authorizeOnUser(db, actor, user, { adminRole: role });
        return updateUser(db, tenant.id, user.id, { adminRole: role }, ctx.now());
      },
      (u) => ({ action: role ? 'admin.grant' : 'admin.revoke', tenantId: tenant.id, target: { type: 'user', id: u.id }, details: { admin_role: role, previous: user.admin_role } }),
    );
    print(context.io, values.json, describeUser(updated));
  },
};
