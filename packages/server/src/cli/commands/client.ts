import { clientQueries } from '../../db/queries/clients.ts';
import { createClient, describeClient, rotateClientSecret } from '../../directory/clients.ts';
import { requireTenantBySlug } from '../../directory/tenants.ts';
import { authorizeNewClient, authorizeOnClient } from '../../admin/admin-authority.ts';
import { NotFound } from '../../errors/oauth-error.ts';
import { AS_OPTION, cliActor } from '../cli-actor.ts';
import { parseCommandArgs, print, requireOption, UsageError } from '../command.ts';
import type { Command } from '../command.ts';

export const clientCommand: Command = {
  name: 'client',
  usage: [
    'latchkey client create --tenant <slug> --name <name> [--public] [--grant <grant_type>]… [--redirect-uri <uri>]…',
    '                       [--post-logout-redirect-uri <uri>]… [--scope "<scope …>"] [--audience <aud>] [--token-claim <claim>]… [--as <admin>] [--json]',
    '       latchkey client list --tenant <slug> [--json]',
    '       latchkey client rotate-secret <client_id> [--as <admin>] [--json]',
  ].join('\n'),
  summary: 'Register applications (client_id and a client secret shown once), list them, rotate secrets',
  async run(argv, context) {
    const [verb, ...rest] = argv;
    if (verb === 'create') {
      const { values } = parseCommandArgs(rest, {
        tenant: { type: 'string' },
        name: { type: 'string' },
        public: { type: 'boolean' },
        grant: { type: 'string', multiple: true },
        'redirect-uri': { type: 'string', multiple: true },
        'post-logout-redirect-uri': { type: 'string', multiple: true },
        scope: { type: 'string' },
        audience: { type: 'string' },
        'token-claim': { type: 'string', multiple: true },
        ...AS_OPTION,
      });
      const slug = requireOption(values.tenant, 'tenant');
      const name = requireOption(values.name, 'name');
      const ctx = await context.latchkey();
      const tenant = await requireTenantBySlug(ctx, slug);
      const scopes = values.scope === undefined ? undefined : values.scope.split(/\s+/).filter(Boolean);
      authorizeNewClient((await cliActor(ctx, values.as, tenant)).actor, scopes);
      const { client, clientSecret } = await createClient(ctx, tenant, {
        name,
        type: values.public ? 'public' : 'confidential',
        grantTypes: values.grant,
        redirectUris: values['redirect-uri'],
        postLogoutRedirectUris: values['post-logout-redirect-uri'],
        scopes,
        audience: values.audience,
        tokenClaims: values['token-claim'],
      });
      print(context.io, values.json, describeClient(client, tenant, clientSecret));
      if (clientSecret && !values.json) context.io.stderr('The client secret is shown only now; store it safely.\n');
      return;
    }
    if (verb === 'list') {
      const { values } = parseCommandArgs(rest, { tenant: { type: 'string' } });
      const ctx = await context.latchkey();
      const tenant = await requireTenantBySlug(ctx, requireOption(values.tenant, 'tenant'));
      const clients = await clientQueries(ctx.db).listByTenant(tenant.id);
      print(context.io, values.json, clients.map((c) => describeClient(c, tenant)));
      return;
    }
    if (verb === 'rotate-secret') {
      const { values, positionals } = parseCommandArgs(rest, { ...AS_OPTION }, 1);
      const clientId = positionals[0];
      if (!clientId) throw new UsageError('the client id is required: latchkey client rotate-secret <client_id>');
      const ctx = await context.latchkey();
      const current = await clientQueries(ctx.db).findById(clientId);
      const tenant = current && (await ctx.tenants.byId(current.tenantId));
      if (!current || !tenant) throw new NotFound(`no client "${clientId.slice(0, 64)}"`);
      await authorizeOnClient(ctx.db, (await cliActor(ctx, values.as, tenant)).actor, current);
      const { client, clientSecret } = await rotateClientSecret(ctx, clientId);
      print(context.io, values.json, describeClient(client, tenant, clientSecret));
      return;
    }
    throw new UsageError(verb ? `unknown client command "${verb}"` : 'a client command is required');
  },
};
