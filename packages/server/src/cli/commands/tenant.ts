import { CLI_ACTOR, recordedChange } from '../../audit/recorded-change.ts';
import { tenantQueries } from '../../db/queries/tenants.ts';
import { updateTenant } from '../../directory/tenant-changes.ts';
import { describeTenant, insertTenant, provisionTenant, requireTenantBySlug } from '../../directory/tenants.ts';
import { InvalidRequest } from '../../errors/oauth-error.ts';
import { parseCommandArgs, print, requireOption, UsageError } from '../command.ts';
import type { Command, CommandContext } from '../command.ts';
import { parseSettingAssignments } from '../setting-assignments.ts';

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

/**
 * As `PATCH /admin/v1/tenants/<slug>` does it: settings merged over the current ones and validated by the directory,
 * the change and its audit event in one transaction. A value the directory refuses is bad usage (exit 2), and
 * the transaction's rollback leaves the tenant as it was.
 */
async function changeTenant(context: CommandContext, slug: string, changes: { name?: string; settings?: Record<string, unknown> }) {
  const ctx = await context.latchkey();
  const tenant = await requireTenantBySlug(ctx, slug);
  try {
    const updated = await recordedChange(
      ctx,
      CLI_ACTOR,
      (db) => updateTenant(db, tenant, changes, ctx.now()),
      (t) => ({ action: 'tenant.update', tenantId: t.id, target: { type: 'tenant', id: t.id }, details: { fields: Object.keys(changes), settings: Object.keys(changes.settings ?? {}) } }),
    );
    ctx.tenants.invalidate(tenant);
    return describeTenant(ctx, updated);
  } catch (error) {
    if (error instanceof InvalidRequest) throw new UsageError(error.message);
    throw error;
  }
}

export const tenantCommand: Command = {
  name: 'tenant',
  usage:
    'latchkey tenant create <slug> [--name <name>] [--partner <partner_id>] [--json]\n' +
    '       latchkey tenant update <slug> [--name <name>] [--set <setting>=<value>]… [--json]   (e.g. --set features.auth.password_grant_enabled=true)\n' +
    '       latchkey tenant list [--json]',
  summary: 'Create tenants (each tenant is an issuer), standalone or under a partner, change their settings, and list them',
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
    if (verb === 'update') {
      const { values, positionals } = parseCommandArgs(rest, { name: { type: 'string' }, set: { type: 'string', multiple: true } }, 1);
      const slug = positionals[0];
      if (!slug) throw new UsageError('the tenant slug is required: latchkey tenant update <slug> --set <setting>=<value>');
      const changes = {
        ...(values.name === undefined ? {} : { name: values.name }),
        ...(values.set === undefined ? {} : { settings: parseSettingAssignments(values.set) }),
      };
      if (Object.keys(changes).length === 0) throw new UsageError('nothing to change: give --set <setting>=<value> or --name <name>');
      print(context.io, values.json, await changeTenant(context, slug, changes));
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
