/**
 * Scenario 8: API key -> token exchange (RFC 8693, issue 20). A product's client trades an `sg_live_` key for a
 * short-lived JWT for one API resource, against the client_credentials ceiling of the same Latchkey process in
 * the same run (target: the exchange >= 0.8 of it). An exchange reads more than client_credentials by design:
 * the key, its owner and the owner's roles afresh (so revocation and role loss show at once), the resource and
 * the client's policy, and it writes an audit event; client_credentials reads only cached rows.
 */
import { createApiKey } from '../../../packages/server/src/directory/api-keys.ts';
import { createClient } from '../../../packages/server/src/directory/clients.ts';
import { assignRoleToUser, createRole } from '../../../packages/server/src/directory/roles.ts';
import { createApiResource } from '../../../packages/server/src/resources/api-resources.ts';
import { measureAll } from '../harness/measure.ts';
import type { Target } from '../harness/measure.ts';
import type { ServerProcess } from '../harness/processes.ts';
import type { LoadRequest } from '../harness/load.ts';
import { basicAuth, jwksUrlOf, prepareLatchkey, startLatchkey } from '../servers/latchkey.ts';
import type { PrepareOptions } from '../servers/latchkey.ts';
import { benchUser } from '../servers/seed.ts';
import { requestToken } from '../servers/targets.ts';
import type { Scenario } from './scenario.ts';

const RESOURCE = 'https://mail.bench.example/api';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

function running(name: string, server: ServerProcess, request: LoadRequest, jwksUrl: string): Target {
  return { name, start: async () => ({ server: { ...server, stop: async () => {} }, request, jwksUrl }) };
}

/** A Latchkey with one API resource, a key whose owner holds a role through it, and a gateway client allowed to exchange. */
export function prepareExchange(options: Omit<PrepareOptions<unknown>, 'seed'> = {}) {
  return prepareLatchkey({
    ...options,
    seed: async ({ ctx, tenant }) => {
      await createApiResource(ctx.db, tenant, { identifier: RESOURCE, scopes: ['mail.send', 'mail.read'], allClients: true }, Date.now());
      const owner = await benchUser(ctx, tenant);
      const role = await createRole(ctx.db, tenant.id, { name: 'sender', permissions: ['mail.send'] }, Date.now());
      await assignRoleToUser(ctx.db, tenant.id, owner, role.id, Date.now());
      const key = (await createApiKey(ctx.db, tenant, { ownerUserId: owner, name: 'bench' }, Date.now())).key;
      const gateway = await createClient(ctx, tenant, { name: 'bench gateway', grantTypes: [TOKEN_EXCHANGE], scopes: [] });
      return { key, clientId: gateway.client.clientId, clientSecret: gateway.clientSecret! };
    },
  });
}

/** The exchange request the load sends: the seeded key for a token for the bench resource. */
export function exchangeRequest(prepared: Awaited<ReturnType<typeof prepareExchange>>): LoadRequest {
  const { key, clientId, clientSecret } = prepared.seeded;
  return {
    url: `${prepared.issuer}/oauth2/token`,
    headers: { authorization: basicAuth(clientId, clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: TOKEN_EXCHANGE, subject_token: key, subject_token_type: 'urn:latchkey:params:oauth:token-type:api-key', resource: RESOURCE }).toString(),
  };
}

export const tokenExchangeScenario: Scenario = {
  name: 'token-exchange',
  summary: 'scenario 8: API key -> token exchange vs client_credentials (same process, same run)',
  async run(options) {
    const prepared = await prepareExchange();
    const latchkey = await startLatchkey(prepared);
    try {
      const exchange = exchangeRequest(prepared);
      await requestToken(exchange); // fails loudly here rather than as a table of errors
      const ceiling = 'client_credentials (same process)';
      const exchanged = 'token exchange: API key -> JWT for one resource';
      const rows = await measureAll([running(ceiling, latchkey, prepared.tokenRequest, jwksUrlOf(prepared)), running(exchanged, latchkey, exchange, jwksUrlOf(prepared))], options);
      return [
        {
          title: 'Scenario 8: API key -> token exchange (RS256, SQLite)',
          rows,
          ratios: [{ label: 'token exchange / client_credentials', numerator: exchanged, denominator: ceiling, target: { atLeast: 0.8 } }],
          notes: ['both rows share one Latchkey process; the exchange reads the key, owner and roles afresh and writes an audit event per token'],
        },
      ];
    } finally {
      await latchkey.stop();
      await prepared.drop();
    }
  },
};
