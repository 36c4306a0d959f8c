/** The three kinds of token endpoint a scenario measures side by side: Latchkey, the ceiling and the peer. */
import { fileURLToPath } from 'node:url';
import type { LoadRequest } from '../harness/load.ts';
import type { Target } from '../harness/measure.ts';
import { freePort, spawnServer } from '../harness/processes.ts';
import type { SpawnOptions } from '../harness/processes.ts';
import { basicAuth, jwksUrlOf, startLatchkey } from './latchkey.ts';
import type { PreparedLatchkey } from './latchkey.ts';

const CEILING = fileURLToPath(new URL('./ceiling.ts', import.meta.url));
const PEER = fileURLToPath(new URL('./peer.ts', import.meta.url));
const PEER_CLIENT = { id: 'bench-peer-client', secret: 'bench-peer-secret-0123456789abcdefghijklmnop' };
const FORM = 'application/x-www-form-urlencoded';

export interface TargetOptions {
  /** Extra spawn options (Node flags for profiling). */
  readonly spawn?: Partial<SpawnOptions>;
}

/**
 * `latchkey serve` on a prepared database. Each start fetches one token first (a check that the setup works)
 * and hands its claims to `onToken`, so the ceiling can sign the very same claims.
 */
export function latchkeyTarget(
  name: string,
  prepared: PreparedLatchkey<unknown>,
  options: TargetOptions & { onToken?: (token: string) => void; request?: LoadRequest } = {},
): Target {
  return {
    name,
    async start() {
      const server = await startLatchkey(prepared, options.spawn);
      try {
        options.onToken?.(await requestToken(prepared.tokenRequest));
      } catch (error) {
        await server.stop();
        throw error;
      }
      return { server, request: options.request ?? prepared.tokenRequest, jwksUrl: jwksUrlOf(prepared) };
    },
  };
}

/** `claims` is read at start, so a Latchkey target measured first can supply the claims of its token. */
export function ceilingTarget(alg: string, claims: () => Readonly<Record<string, unknown>> | undefined = () => undefined, options: TargetOptions = {}): Target {
  return {
    name: `ceiling (bare jose ${alg})`,
    async start() {
      const port = await freePort();
      const env: Record<string, string> = { PORT: String(port), BENCH_ALG: alg };
      const template = claims();
      if (template) env.BENCH_CLAIMS = JSON.stringify(template);
      const server = await spawnServer({ args: [CEILING], env, ready: `http://127.0.0.1:${port}/jwks`, ...options.spawn });
      const request = { url: `http://127.0.0.1:${port}/token`, headers: { 'content-type': FORM }, body: 'grant_type=client_credentials' };
      return { server, request, jwksUrl: `http://127.0.0.1:${port}/jwks` };
    },
  };
}

export function peerTarget(alg: string, options: TargetOptions = {}): Target {
  return {
    name: `peer (oidc-provider ${alg})`,
    async start() {
      const port = await freePort();
      const env = { PORT: String(port), BENCH_ALG: alg, BENCH_CLIENT_ID: PEER_CLIENT.id, BENCH_CLIENT_SECRET: PEER_CLIENT.secret };
      const server = await spawnServer({ args: [PEER], env, ready: `http://127.0.0.1:${port}/jwks`, ...options.spawn });
      return {
        server,
        request: {
          url: `http://127.0.0.1:${port}/token`,
          headers: { authorization: basicAuth(PEER_CLIENT.id, PEER_CLIENT.secret), 'content-type': FORM },
          body: 'grant_type=client_credentials&scope=api',
        },
        jwksUrl: `http://127.0.0.1:${port}/jwks`,
      };
    },
  };
}

/** Sends one request and returns the access token it was answered with. */
export async function requestToken(request: LoadRequest): Promise<string> {
  const response = await fetch(request.url, { method: request.method ?? 'POST', headers: request.headers, body: request.body });
  const body = (await response.json()) as { access_token?: string };
  if (!response.ok || typeof body.access_token !== 'string') throw new Error(`${request.url} answered ${response.status}: ${JSON.stringify(body)}`);
  return body.access_token;
}

/** The claims of a compact JWS (no verification: callers verify separately where it matters). */
export function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}
