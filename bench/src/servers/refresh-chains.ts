/**
 * The refresh_token request as a load: each answer carries the refresh token that continues its chain, and it
 * goes back into the pool the next request takes from, so every token is sent exactly once (no replays) and
 * the chains outlive connections. A failed link ends its chain; the pool's spare tokens keep the load going.
 * (autocannon resets its per-connection context on every request of a one-request list, hence the pool.)
 */
import type { LoadRequest } from '../harness/load.ts';
import { basicAuth } from './latchkey.ts';
import type { PreparedLatchkey } from './latchkey.ts';

/** Live tokens a run needs: a chain per connection for the warm-up and the measured run, and spares. */
export function liveTokensNeeded(connections: number, rounds: number): number {
  return connections * 2 * rounds * 2 + 16;
}

export function refreshChains(prepared: PreparedLatchkey<unknown>, pool: string[]): LoadRequest {
  return {
    url: `${prepared.issuer}/oauth2/token`,
    headers: { authorization: basicAuth(prepared.clientId, prepared.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
    chain: {
      body() {
        return `grant_type=refresh_token&refresh_token=${pool.pop() ?? 'pool-exhausted'}`;
      },
      onResponse(status, body) {
        const next = status === 200 ? (JSON.parse(body) as { refresh_token?: string }).refresh_token : undefined;
        if (next !== undefined) pool.push(next);
      },
    },
  };
}
