/**
 * Scenario 4: verification. Introspection (RFC 7662) of a JWT access token and of an API key at Latchkey, and
 * a product API guarded by the relying-party kit's Fastify plugin against a bare `jose` verification route
 * (the ceiling; target: the kit >= 0.9 of it). The Latchkey instance that issues the token and publishes the
 * keys runs for the whole scenario; the introspection rows measure it.
 */
import { fileURLToPath } from 'node:url';
import { createApiKey } from '../../../packages/server/src/directory/api-keys.ts';
import { measureAll } from '../harness/measure.ts';
import type { Target } from '../harness/measure.ts';
import { freePort, spawnServer } from '../harness/processes.ts';
import type { ServerProcess } from '../harness/processes.ts';
import type { LoadRequest } from '../harness/load.ts';
import { basicAuth, jwksUrlOf, prepareLatchkey, startLatchkey } from '../servers/latchkey.ts';
import type { PreparedLatchkey } from '../servers/latchkey.ts';
import { benchUser } from '../servers/seed.ts';
import { requestToken } from '../servers/targets.ts';
import type { Scenario } from './scenario.ts';

const RELYING_PARTY = fileURLToPath(new URL('../servers/relying-party.ts', import.meta.url));
const VERIFY_CEILING = fileURLToPath(new URL('../servers/verify-ceiling.ts', import.meta.url));

/** A target on a server that is already running (stopping it is the scenario's business). */
function running(name: string, server: ServerProcess, request: LoadRequest, jwksUrl: string): Target {
  return { name, start: async () => ({ server: { ...server, stop: async () => {} }, request, jwksUrl }) };
}

function productApi(name: string, entry: string, prepared: PreparedLatchkey<unknown>, token: string): Target {
  return {
    name,
    async start() {
      const port = await freePort();
      const env = { PORT: String(port), BENCH_ISSUER: prepared.issuer, BENCH_AUDIENCE: prepared.clientId };
      const server = await spawnServer({ args: [entry], env, ready: `http://127.0.0.1:${port}/healthz` });
      return { server, request: { url: `http://127.0.0.1:${port}/me`, method: 'GET', headers: { authorization: `Bearer ${token}` } }, jwksUrl: jwksUrlOf(prepared) };
    },
  };
}

export const introspectionScenario: Scenario = {
  name: 'introspection',
  summary: 'scenario 4: introspection (JWT, API key) and relying-party verification vs bare jose',
  async run(options) {
    const prepared = await prepareLatchkey({
      seed: async ({ ctx, tenant }) => (await createApiKey(ctx.db, tenant, { ownerUserId: await benchUser(ctx, tenant), name: 'bench' }, Date.now())).key,
    });
    const latchkey = await startLatchkey(prepared);
    try {
      const token = await requestToken(prepared.tokenRequest);
      const introspect = (body: string): LoadRequest => ({
        url: `${prepared.issuer}/oauth2/introspect`,
        headers: { authorization: basicAuth(prepared.clientId, prepared.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      const kit = 'relying-party kit (fastifyGuard)';
      const ceiling = 'ceiling (bare jose jwtVerify)';
      const rows = await measureAll(
        [
          running('introspection: JWT access token', latchkey, introspect(`token=${token}&token_type_hint=access_token`), jwksUrlOf(prepared)),
          running('introspection: API key', latchkey, introspect(`token=${encodeURIComponent(prepared.seeded)}`), jwksUrlOf(prepared)),
          productApi(kit, RELYING_PARTY, prepared, token),
          productApi(ceiling, VERIFY_CEILING, prepared, token),
        ],
        options,
      );
      return [
        {
          title: 'Scenario 4: introspection and relying-party verification (RS256)',
          rows,
          ratios: [{ label: 'relying-party kit / bare jose verification', numerator: kit, denominator: ceiling, target: { atLeast: 0.9 } }],
          notes: ['the introspection rows share one Latchkey process, so their peak RSS is that process\'s so far'],
        },
      ];
    } finally {
      await latchkey.stop();
      await prepared.drop();
    }
  },
};
