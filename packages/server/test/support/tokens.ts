/** Getting and checking tokens the way a client and a resource server would (over HTTP, JWKS from the issuer). */
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import { postForm } from './http.ts';

export function clientCredentials(baseUrl: string, clientId: string, clientSecret: string, init: { signal?: AbortSignal } = {}): Promise<Response> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
  if (init.signal) {
    return fetch(`${baseUrl}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString(), signal: init.signal });
  }
  return postForm(`${baseUrl}/oauth2/token`, Object.fromEntries(body));
}

export async function fetchJwks(serverUrl: string, slug: string): Promise<{ keys: Array<Record<string, unknown>> }> {
  const response = await fetch(`${serverUrl}/t/${slug}/jwks`);
  if (response.status !== 200) throw new Error(`JWKS answered ${response.status}`);
  return (await response.json()) as { keys: Array<Record<string, unknown>> };
}

/** Verifies an access token against a JWKS document, as a resource server would. */
export async function verifyAccessToken(token: string, jwks: { keys: Array<Record<string, unknown>> }, issuer: string): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]), { issuer, typ: 'at+jwt' });
  return payload;
}

/** Runs `tasks` with at most `concurrency` at a time; results in task order. */
export async function inParallel<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  });
  await Promise.all(lanes);
  return results;
}
