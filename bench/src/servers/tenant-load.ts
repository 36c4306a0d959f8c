/**
 * Requests spread over a fleet of tenants, as autocannon sends them: client_credentials with each tenant's own
 * client (uniformly, or Zipf-skewed: a few hot tenants and a long tail), and the discovery + JWKS fetches a
 * fleet of relying parties makes. Every header and path is built before the run, so the load generator (in
 * the harness process, on the same cores) spends nothing per request but a random draw.
 */
import type { LoadRequest } from '../harness/load.ts';
import { basicAuth } from './latchkey.ts';
import type { FleetTenant } from './tenant-fleet.ts';

export type Spread = 'uniform' | 'zipf';

/** Zipf's exponent: with s = 1 and 100,000 tenants the hottest 1 % take about 60 % of the requests. */
const ZIPF_EXPONENT = 1;

/** Draws tenant indexes 0…n-1: uniformly, or by Zipf's law (index 0 the hottest). */
export function tenantPicker(n: number, spread: Spread, random: () => number = Math.random): () => number {
  if (spread === 'uniform' || n === 1) return () => Math.floor(random() * n);
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i += 1) cdf[i] = sum += 1 / (i + 1) ** ZIPF_EXPONENT;
  return () => {
    const target = random() * sum;
    let [lo, hi] = [0, n - 1];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const FORM = 'application/x-www-form-urlencoded';

export function spreadTokenRequests(baseUrl: string, tenants: readonly FleetTenant[], spread: Spread): LoadRequest {
  const headers = tenants.map((t) => ({ authorization: basicAuth(t.clientId, t.clientSecret) }));
  const pick = tenantPicker(tenants.length, spread);
  return {
    url: `${baseUrl}/oauth2/token`,
    headers: { 'content-type': FORM },
    chain: { body: () => 'grant_type=client_credentials', headers: () => headers[pick()]!, onResponse: () => {} },
  };
}

/** Half discovery documents, half JWKS, of tenants drawn uniformly. */
export function spreadDiscoveryRequests(baseUrl: string, tenants: readonly FleetTenant[]): LoadRequest {
  const paths = tenants.flatMap((t) => [`/t/${t.slug}/.well-known/openid-configuration`, `/t/${t.slug}/jwks`]);
  const pick = tenantPicker(paths.length, 'uniform');
  return { url: `${baseUrl}/healthz`, method: 'GET', chain: { body: () => '', path: () => paths[pick()]!, onResponse: () => {} } };
}
