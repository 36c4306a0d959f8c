/** `latchkey resource …`: API resources (RFC 8707 targets) and which clients may ask for them (issue 20). */
import { CLI_ACTOR, recordedChange } from '../../audit/recorded-change.ts';
import { apiResourceQueries } from '../../db/queries/api-resources.ts';
import { requireTenantBySlug } from '../../directory/tenants.ts';
import { NotFound } from '../../errors/oauth-error.ts';
import { createApiResource, deleteApiResource, describeApiResource, setClientAccess, toApiResource, updateApiResource } from '../../resources/api-resources.ts';
import type { ApiResource } from '../../resources/api-resources.ts';
import type { Latchkey } from '../../context.ts';
import { requireClient } from '../../directory/client-changes.ts';
import { setTokenExchangePolicy, tokenExchangePolicyOf } from '../../resources/token-exchange-policy.ts';
import type { Tenant } from '../../db/queries/tenants.ts';
import { parseCommandArgs, print, requireOption, UsageError } from '../command.ts';
import { AS_OPTION, cliActor } from '../cli-actor.ts';
import type { Command } from '../command.ts';

const VERBS = ['create', 'list', 'update', 'delete', 'grant', 'withdraw', 'exchange-policy'];

async function resourceByRef(ctx: Latchkey, tenant: Tenant, ref: string): Promise<ApiResource> {
  const queries = apiResourceQueries(ctx.db);
  const row = (ref.startsWith('res_') ? await queries.find(tenant.id, ref) : undefined) ?? (await queries.findByIdentifier(tenant.id, ref));
  if (!row) throw new NotFound(`no API resource "${ref.slice(0, 200)}" in tenant ${tenant.slug}`);
  return toApiResource(row);
}

function lifetimeOf(text: string | undefined): number | null | undefined {
  if (text === undefined) return undefined;
  if (text === 'default') return null;
  const value = Number(text);
  if (!Number.isInteger(value)) throw new UsageError('--token-lifetime must be a number of seconds or "default"');
  return value;
}

export const resourceCommand: Command = {
  name: 'resource',
  usage: [
    'latchkey resource create --tenant <slug> --identifier <uri> [--name <name>] [--scope <s>]… [--token-lifetime <s>] [--alg RS256|ES256|EdDSA] [--all-clients] [--json]',
    '       latchkey resource list --tenant <slug> [--json]',
    '       latchkey resource update --tenant <slug> --resource <uri|id> [--name <name>] [--scope <s>]… [--token-lifetime <s>|default] [--alg <alg>|default] [--all-clients|--granted-clients-only] [--json]',
    '       latchkey resource delete --tenant <slug> --resource <uri|id> [--json]',
    '       latchkey resource grant|withdraw --tenant <slug> --resource <uri|id> --client <client_id> [--as <admin>] [--json]',
    '       latchkey resource exchange-policy --tenant <slug> --client <client_id> [--subject api_key|access_token]… [--resource <uri>]… [--impersonation|--no-impersonation] [--max-lifetime <s>] [--as <admin>] [--json]',
  ].join('\n'),
  summary: 'API resources (RFC 8707): identifiers, scopes, token lifetime and algorithm, clients granted',
  async run(argv, context) {
    const [verb, ...rest] = argv;
    const { values } = parseCommandArgs(rest, {
      tenant: { type: 'string' }, identifier: { type: 'string' }, name: { type: 'string' }, scope: { type: 'string', multiple: true },
      'token-lifetime': { type: 'string' }, alg: { type: 'string' }, 'all-clients': { type: 'boolean' }, 'granted-clients-only': { type: 'boolean' },
      resource: { type: 'string', multiple: true }, client: { type: 'string' }, subject: { type: 'string', multiple: true },
      impersonation: { type: 'boolean' }, 'no-impersonation': { type: 'boolean' }, 'max-lifetime': { type: 'string' }, ...AS_OPTION,
    });
    if (!VERBS.includes(verb ?? '')) throw new UsageError(verb ? `unknown resource command "${verb}"` : 'a resource command is required');
    const ctx = await context.latchkey();
    const tenant = await requireTenantBySlug(ctx, requireOption(values.tenant, 'tenant'));
    const now = ctx.now();
    const allClients = values['all-clients'] ? true : values['granted-clients-only'] ? false : undefined;
    const alg = values.alg === 'default' ? null : values.alg;
    if (verb === 'create') {
      const input = { identifier: requireOption(values.identifier, 'identifier'), name: values.name, scopes: values.scope, tokenLifetime: lifetimeOf(values['token-lifetime']), signingAlg: alg, allClients };
      const created = await recordedChange(ctx, CLI_ACTOR, (db) => createApiResource(db, tenant, input, now), (r) => ({ action: 'api_resource.create', tenantId: tenant.id, target: { type: 'api_resource', id: r.id }, details: { identifier: r.identifier } }));
      print(context.io, values.json, describeApiResource(created));
      return;
    }
    if (verb === 'list') {
      print(context.io, values.json, (await apiResourceQueries(ctx.db).list(tenant.id, { limit: 10_000 })).data.map((row) => describeApiResource(toApiResource(row))));
      return;
    }
    if (verb === 'exchange-policy') {
      const clientId = requireOption(values.client, 'client');
      const input: Record<string, unknown> = {};
      if (values.subject !== undefined) input.subject_token_types = values.subject;
      if (values.resource !== undefined) input.resources = values.resource;
      if (values.impersonation || values['no-impersonation']) input.impersonation = values.impersonation === true;
      if (values['max-lifetime'] !== undefined) input.max_lifetime = Number(values['max-lifetime']);
      const { actor, audit } = await cliActor(ctx, values.as, tenant);
      const policy = Object.keys(input).length === 0
        ? await tokenExchangePolicyOf(ctx.db, (await requireClient(ctx.db, tenant.id, clientId)).clientId)
        : await recordedChange(ctx, audit, (db) => setTokenExchangePolicy(db, actor, tenant.id, clientId, input, now), (p) => ({ action: 'client.token_exchange_policy.set', tenantId: tenant.id, target: { type: 'client', id: clientId }, details: { ...p } }));
      print(context.io, values.json, policy);
      return;
    }
    if ((values.resource?.length ?? 0) > 1) throw new UsageError('give one --resource');
    const resource = await resourceByRef(ctx, tenant, requireOption(values.resource?.[0], 'resource'));
    if (verb === 'update') {
      const input = { identifier: values.identifier, name: values.name, scopes: values.scope, tokenLifetime: lifetimeOf(values['token-lifetime']), signingAlg: alg, allClients };
      const updated = await recordedChange(ctx, CLI_ACTOR, (db) => updateApiResource(db, tenant, resource.id, input, now), (r) => ({ action: 'api_resource.update', tenantId: tenant.id, target: { type: 'api_resource', id: r.id } }));
      print(context.io, values.json, describeApiResource(updated));
      return;
    }
    if (verb === 'delete') {
      await recordedChange(ctx, CLI_ACTOR, (db) => deleteApiResource(db, tenant.id, resource.id), () => ({ action: 'api_resource.delete', tenantId: tenant.id, target: { type: 'api_resource', id: resource.id }, details: { identifier: resource.identifier } }));
      print(context.io, values.json, { deleted: describeApiResource(resource) });
      return;
    }
    const clientId = requireOption(values.client, 'client');
    const granted = verb === 'grant';
    const { actor, audit } = await cliActor(ctx, values.as, tenant);
    await recordedChange(ctx, audit, (db) => setClientAccess(db, actor, tenant.id, resource.id, clientId, granted, now), () => ({ action: granted ? 'api_resource.client.grant' : 'api_resource.client.withdraw', tenantId: tenant.id, target: { type: 'client', id: clientId }, details: { resource_id: resource.id } }));
    print(context.io, values.json, describeApiResource(resource, await apiResourceQueries(ctx.db).clientIds(resource.id)));
  },
};
