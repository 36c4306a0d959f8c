/** `latchkey registration …`: initial access tokens for RFC 7591 dynamic client registration. */
import { CLI_ACTOR, recordedChange } from '../../audit/recorded-change.ts';
import { requireTenantBySlug } from '../../directory/tenants.ts';
import { createInitialAccessToken, describeInitialAccessToken, listInitialAccessTokens, revokeInitialAccessToken } from '../../resources/registration/initial-access-tokens.ts';
import { parseCommandArgs, print, requireOption, UsageError } from '../command.ts';
import type { Command } from '../command.ts';

export const registrationCommand: Command = {
  name: 'registration',
  usage: [
    'latchkey registration token-create --tenant <slug> [--name <name>] [--single-use] [--expires-in <seconds>] [--json]',
    '       latchkey registration token-list --tenant <slug> [--json]',
    '       latchkey registration token-revoke --tenant <slug> --id <iat_…> [--json]',
    '   (turn registration on with: latchkey tenant update <slug> --set client_registration.enabled=true)',
  ].join('\n'),
  summary: 'Initial access tokens for dynamic client registration (RFC 7591)',
  async run(argv, context) {
    const [verb, ...rest] = argv;
    const { values } = parseCommandArgs(rest, { tenant: { type: 'string' }, name: { type: 'string' }, 'single-use': { type: 'boolean' }, 'expires-in': { type: 'string' }, id: { type: 'string' } });
    if (!['token-create', 'token-list', 'token-revoke'].includes(verb ?? '')) throw new UsageError(verb ? `unknown registration command "${verb}"` : 'a registration command is required');
    const ctx = await context.latchkey();
    const tenant = await requireTenantBySlug(ctx, requireOption(values.tenant, 'tenant'));
    if (verb === 'token-list') {
      print(context.io, values.json, (await listInitialAccessTokens(ctx.db, tenant.id)).map((row) => describeInitialAccessToken(row)));
      return;
    }
    if (verb === 'token-revoke') {
      const row = await recordedChange(ctx, CLI_ACTOR, (db) => revokeInitialAccessToken(db, tenant.id, requireOption(values.id, 'id'), ctx.now()), (r) => ({ action: 'initial_access_token.revoke', tenantId: tenant.id, target: { type: 'initial_access_token', id: r.id } }));
      print(context.io, values.json, describeInitialAccessToken(row));
      return;
    }
    const expiresIn = values['expires-in'] === undefined ? undefined : Number(values['expires-in']);
    const created = await recordedChange(
      ctx, CLI_ACTOR,
      (db) => createInitialAccessToken(db, tenant.id, { name: values.name, singleUse: values['single-use'], expiresIn }, ctx.now()),
      (c) => ({ action: 'initial_access_token.create', tenantId: tenant.id, target: { type: 'initial_access_token', id: c.row.id } }),
    );
    print(context.io, values.json, describeInitialAccessToken(created.row, created.token));
  },
};
