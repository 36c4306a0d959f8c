import { recordedChange } from '../../audit/recorded-change.ts';
import { apiKeyQueries } from '../../db/queries/api-keys.ts';
import type { Database } from '../../db/database.ts';
import { createApiKey, describeApiKey, requireApiKey, revokeApiKey } from '../../directory/api-keys.ts';
import { requireTenantBySlug } from '../../directory/tenants.ts';
import { authorizeOnUser, authorizeOnUserId } from '../../admin/admin-authority.ts';
import { AS_OPTION, cliActor } from '../cli-actor.ts';
import { userByRef } from '../directory-refs.ts';
import { parseCommandArgs, print, requireOption, UsageError } from '../command.ts';
import type { Command } from '../command.ts';

export const apikeyCommand: Command = {
  name: 'apikey',
  usage: [
    'latchkey apikey create --tenant <slug> --owner <email|username|user id|client id> [--name <name>] [--mode live|test]',
    '                       [--permission <perm>]… [--expires-in <seconds>] [--as <admin>] [--json]',
    '       latchkey apikey list --tenant <slug> [--owner <…>] [--json]',
    '       latchkey apikey revoke --tenant <slug> <key_id> [--as <admin>] [--json]',
  ].join('\n'),
  summary: 'API keys (<prefix>_live_… / <prefix>_test_…) for users and service accounts; the key is shown once',
  async run(argv, context) {
    const [verb, ...rest] = argv;
    const { values, positionals } = parseCommandArgs(
      rest,
      { tenant: { type: 'string' }, owner: { type: 'string' }, name: { type: 'string' }, mode: { type: 'string' }, permission: { type: 'string', multiple: true }, 'expires-in': { type: 'string' }, ...AS_OPTION },
      1,
    );
    if (!['create', 'list', 'revoke'].includes(verb ?? '')) throw new UsageError(verb ? `unknown apikey command "${verb}"` : 'an apikey command is required');
    if (values.mode !== undefined && values.mode !== 'live' && values.mode !== 'test') throw new UsageError('--mode must be live or test');
    let expiresInMs: number | undefined;
    if (values['expires-in'] !== undefined) {
      const seconds = Number(values['expires-in']);
      if (!Number.isInteger(seconds) || seconds < 1) throw new UsageError('--expires-in must be a whole number of seconds');
      expiresInMs = seconds * 1000;
    }
    const ctx = await context.latchkey();
    const tenant = await requireTenantBySlug(ctx, requireOption(values.tenant, 'tenant'));
    const now = ctx.now();
    if (verb === 'create') {
      const owner = await userByRef(ctx, tenant, requireOption(values.owner, 'owner'));
      const input = { ownerUserId: owner.id, name: values.name, mode: values.mode as 'live' | 'test' | undefined, permissions: values.permission, expiresAt: expiresInMs === undefined ? null : now + expiresInMs };
      const { actor, audit } = await cliActor(ctx, values.as, tenant);
      const create = async (db: Database) => {
        await authorizeOnUser(db, actor, owner);
        return createApiKey(db, tenant, input, now);
      };
      const created = await recordedChange(ctx, audit, create, (c) => ({ action: 'api_key.create', tenantId: tenant.id, target: { type: 'api_key', id: c.row.id }, details: { owner_user_id: owner.id, mode: c.row.mode } }));
      print(context.io, values.json, describeApiKey(created.row, created.key));
      if (!values.json) context.io.stderr('The API key is shown only now; store it safely.\n');
      return;
    }
    if (verb === 'list') {
      const owner = values.owner === undefined ? undefined : (await userByRef(ctx, tenant, values.owner)).id;
      print(context.io, values.json, (await apiKeyQueries(ctx.db).list(tenant.id, { owner }, { limit: 10_000 })).data.map((row) => describeApiKey(row)));
      return;
    }
    const keyId = positionals[0];
    if (!keyId) throw new UsageError('the key id is required: latchkey apikey revoke --tenant <slug> <key_id>');
    const { actor, audit } = await cliActor(ctx, values.as, tenant);
    const revoke = async (db: Database) => {
      await authorizeOnUserId(db, actor, tenant.id, (await requireApiKey(db, tenant.id, keyId)).owner_user_id);
      return revokeApiKey(db, tenant.id, keyId, now);
    };
    const row = await recordedChange(ctx, audit, revoke, (k) => ({ action: 'api_key.revoke', tenantId: tenant.id, target: { type: 'api_key', id: k.id } }));
    print(context.io, values.json, describeApiKey(row));
  },
};
