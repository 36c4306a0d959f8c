/** Small request helpers for the replay tests. */
import { SignJWT } from 'jose';
import type { JWTPayload } from 'jose';
import type { Demo } from '../../src/start-demo.ts';

export async function form(url: string, params: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(params).toString() });
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/**
 * Parsed JSON as the tests walk it: any property may be read (and is itself walkable); assertions check the
 * actual values, so the type only has to let them get there.
 */
export interface Json {
  readonly [key: string]: Json;
}

export async function body(response: Response): Promise<Json> {
  return (await response.json()) as Json;
}

/** A client_credentials access token (seed 000's step 2). */
export async function clientToken(demo: Demo, client: { clientId: string; clientSecret: string }, scope = 'openid'): Promise<string> {
  const response = await form(`${demo.urls.latchkey}/application/o/token/`, { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope });
  if (response.status !== 200) throw new Error(`token request failed: ${response.status} ${await response.text()}`);
  return String((await body(response)).access_token);
}

/** A token signed with the demo tenant's real key, with chosen claims (expired, foreign audience, …). */
export async function signedWithTenantKey(demo: Demo, claims: JWTPayload): Promise<string> {
  const key = await demo.latchkey.ctx.signingKeys.activeKey(demo.seed.tenantId, 'RS256');
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: demo.seed.issuer, aud: demo.seed.mailAudience, sub: 'usr_forged', iat, exp: iat + 600, scope: 'openid', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'at+jwt' })
    .sign(key.keyObject);
}
