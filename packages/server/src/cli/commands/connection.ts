/**
 * `latchkey connection …`: a tenant's upstream identity providers, as the admin API manages them (same checks,
 * same audit events). Secrets are read from a JSON file (`--secrets-file`), never from the command line, where
 * other users of the machine could read them in the process list.
 */
import { readFileSync } from 'node:fs';
import { CLI_ACTOR, recordedChange } from '../../audit/recorded-change.ts';
import { connectionQueries } from '../../db/queries/connections.ts';
import type { ConnectionType } from '../../db/schema-federation.ts';
import { requireTenantBySlug } from '../../directory/tenants.ts';
import { InvalidRequest } from '../../errors/oauth-error.ts';
import { createConnection, deleteConnection, describeConnection, requireConnection, toConnection, updateConnection } from '../../federation/connections.ts';
import type { ConnectionInput, ConnectionSecrets } from '../../federation/connections.ts';
import type { Preset } from '../../federation/presets.ts';
import { parseCommandArgs, print, requireOption, UsageError } from '../command.ts';
import type { Command } from '../command.ts';

function readJsonOption(text: string | undefined, what: string): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new UsageError(`${what} must be a JSON object`);
  }
}

function readSecrets(path: string | undefined): ConnectionSecrets | undefined {
  if (path === undefined) return undefined;
  return readJsonOption(readFileSync(path, 'utf8'), `--secrets-file ${path}`) as ConnectionSecrets;
}

export const connectionCommand: Command = {
  name: 'connection',
  usage: [
    'latchkey connection create --tenant <slug> --slug <name> (--type oidc|oauth2|saml | --preset github|google|entra) [--name <label>]',
    '         [--settings <json>] [--secrets-file <file.json>] [--domains <a.example,b.example>] [--disabled] [--json]',
    '       latchkey connection update --tenant <slug> --connection <slug|id> [--name <label>] [--settings <json>] [--secrets-file <file.json>]',
    '         [--domains <list>] [--enable | --disable] [--json]',
    '       latchkey connection list --tenant <slug> [--json]',
    '       latchkey connection show --tenant <slug> --connection <slug|id> [--json]',
    '       latchkey connection delete --tenant <slug> --connection <slug|id> [--json]',
  ].join('\n'),
  summary: 'Connections to upstream identity providers (OpenID Connect, GitHub, Google, Entra ID, SAML) per tenant',
  async run(argv, context) {
    const [verb, ...rest] = argv;
    const { values } = parseCommandArgs(rest, {
      tenant: { type: 'string' }, slug: { type: 'string' }, connection: { type: 'string' }, type: { type: 'string' }, preset: { type: 'string' }, name: { type: 'string' },
      settings: { type: 'string' }, 'secrets-file': { type: 'string' }, domains: { type: 'string' }, disabled: { type: 'boolean' }, enable: { type: 'boolean' }, disable: { type: 'boolean' },
    });
    if (!['create', 'update', 'list', 'show', 'delete'].includes(verb ?? '')) throw new UsageError(verb ? `unknown connection command "${verb}"` : 'a connection command is required');
    const ctx = await context.latchkey();
    const tenant = await requireTenantBySlug(ctx, requireOption(values.tenant, 'tenant'));
    const describe = (c: Parameters<typeof describeConnection>[0]) => describeConnection(c, ctx.config.baseUrl, tenant.slug);
    if (verb === 'list') {
      const queries = connectionQueries(ctx.db);
      const page = await queries.list(tenant.id, { limit: 10_000 });
      const list = [];
      for (const row of page.data) list.push(describe(toConnection(row, await queries.domains(row.id))));
      print(context.io, values.json, list);
      return;
    }
    const domains = values.domains === undefined ? undefined : values.domains.split(',').map((d) => d.trim()).filter((d) => d !== '');
    const input: ConnectionInput = {
      ...(values.slug === undefined ? {} : { slug: values.slug }),
      ...(values.name === undefined ? {} : { name: values.name }),
      ...(values.type === undefined ? {} : { type: values.type as ConnectionType }),
      ...(values.preset === undefined ? {} : { preset: values.preset as Preset }),
      ...(domains === undefined ? {} : { domains }),
      ...(values.settings === undefined ? {} : { settings: readJsonOption(values.settings, '--settings') }),
      ...(values['secrets-file'] === undefined ? {} : { secrets: readSecrets(values['secrets-file']) }),
    };
    try {
      if (verb === 'create') {
        const created = await recordedChange(ctx, CLI_ACTOR, (db) => createConnection(ctx, db, tenant.id, { ...input, enabled: values.disabled !== true }), (c) => ({ action: 'connection.create', tenantId: tenant.id, target: { type: 'connection', id: c.id }, details: { slug: c.slug, type: c.type, preset: c.preset, domains: c.domains } }));
        print(context.io, values.json, describe(created));
        return;
      }
      const ref = requireOption(values.connection, 'connection');
      if (verb === 'show') {
        print(context.io, values.json, describe(await requireConnection(ctx.db, tenant.id, ref)));
        return;
      }
      if (verb === 'delete') {
        const deleted = await recordedChange(ctx, CLI_ACTOR, (db) => deleteConnection(db, tenant.id, ref), (c) => ({ action: 'connection.delete', tenantId: tenant.id, target: { type: 'connection', id: c.id }, details: { slug: c.slug } }));
        print(context.io, values.json, { deleted: describe(deleted) });
        return;
      }
      if (values.enable && values.disable) throw new UsageError('--enable and --disable exclude each other');
      const changes: ConnectionInput = { ...input, ...(values.enable ? { enabled: true } : {}), ...(values.disable ? { enabled: false } : {}) };
      if (Object.keys(changes).length === 0) throw new UsageError('nothing to change');
      const updated = await recordedChange(ctx, CLI_ACTOR, (db) => updateConnection(ctx, db, tenant.id, ref, changes), (c) => ({ action: 'connection.update', tenantId: tenant.id, target: { type: 'connection', id: c.id }, details: { fields: Object.keys(changes), enabled: c.enabled } }));
      print(context.io, values.json, describe(updated));
    } catch (error) {
      if (error instanceof InvalidRequest) throw new UsageError(error.message);
      throw error;
    }
  },
};
