/**
 * Replays seed 000 against the demo: the client_credentials token request (curl and Python), the two API
 * calls, token validation against the published JWKS, and every row of the error table.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { startDemo } from '../src/start-demo.ts';
import type { Demo } from '../src/start-demo.ts';
import { body, clientToken, form, signedWithTenantKey } from './support/idp.ts';

describe('seed 000 replay', () => {
  let demo: Demo;
  before(async () => {
    demo = await startDemo({ rateLimitPerClient: 30 });
  });
  after(() => demo.stop());

  /** The seed's documented token request; each test makes its own, so any one runs alone. */
  function documentedTokenRequest(): Promise<Response> {
    return form(`${demo.urls.latchkey}/application/o/token/`, {
      grant_type: 'client_credentials',
      client_id: demo.seed.agent.clientId,
      client_secret: demo.seed.agent.clientSecret,
      scope: 'openid',
    });
  }

  async function documentedToken(): Promise<string> {
    const response = await documentedTokenRequest();
    assert.equal(response.status, 200);
    return String((await body(response)).access_token);
  }

  it('POST /application/o/token/ (client_credentials, scope=openid) answers the documented shape', async () => {
    const response = await documentedTokenRequest();
    assert.equal(response.status, 200);
    const tokenBody = await body(response);
    assert.equal(typeof tokenBody.access_token, 'string');
    assert.match(String(tokenBody.token_type), /^bearer$/i);
    assert.equal(tokenBody.expires_in, 3600);
    assert.equal(decodeProtectedHeader(String(tokenBody.access_token)).alg, 'RS256');
  });

  it('the token validates against /application/o/<app-slug>/jwks/ with issuer, audience and expiry', async () => {
    const token = await documentedToken();
    const jwks = await (await fetch(`${demo.urls.latchkey}/application/o/${demo.seed.slug}/jwks/`)).json();
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: demo.seed.issuer, audience: demo.seed.mailAudience });
    for (const claim of ['iss', 'sub', 'aud', 'preferred_username', 'groups', 'exp', 'iat']) assert.ok(claim in payload, claim);
    assert.deepEqual(payload.groups, ['mail-users']);
  });

  it('GET /v1/me and GET /v1/mailboxes with the bearer token answer 200', async () => {
    const headers = { authorization: `Bearer ${await documentedToken()}` };
    const me = await fetch(`${demo.urls.mail}/v1/me`, { headers });
    assert.equal(me.status, 200);
    const principal = await body(me);
    assert.equal(principal.kind, 'service');
    assert.equal(principal.tenant_id, demo.seed.tenantId);
    const mailboxes = await fetch(`${demo.urls.mail}/v1/mailboxes`, { headers });
    assert.equal(mailboxes.status, 200);
    assert.ok(Array.isArray((await body(mailboxes)).data));
  });

  it('the Python example (form body, same fields) gets a token that works too', async () => {
    const python = await clientToken(demo, demo.seed.agent, 'openid');
    assert.equal((await fetch(`${demo.urls.mail}/v1/me`, { headers: { authorization: `Bearer ${python}` } })).status, 200);
  });

  const refusals: Array<{ row: string; status: number; error?: string; path?: string; credential: (demo: Demo) => Promise<string | undefined> }> = [
    { row: '401 missing token', status: 401, credential: async () => undefined },
    { row: '401 malformed token', status: 401, error: 'invalid_token', credential: async () => 'Bearer not-a-jwt' },
    { row: '401 expired token', status: 401, error: 'invalid_token', credential: async (d) => `Bearer ${await signedWithTenantKey(d, { iat: 1_700_000_000, exp: 1_700_000_600 })}` },
    {
      row: '401 signature-invalid token',
      status: 401,
      error: 'invalid_token',
      credential: async (d) => {
        const [header, payload] = (await clientToken(d, d.seed.agent)).split('.');
        return `Bearer ${header}.${payload}.${Buffer.alloc(256, 7).toString('base64url')}`;
      },
    },
    { row: '401 token for another audience', status: 401, error: 'invalid_token', credential: async (d) => `Bearer ${await signedWithTenantKey(d, { aud: 'someone-else' })}` },
    { row: '403 valid token lacking scope or group', status: 403, error: 'insufficient_scope', credential: async (d) => `Bearer ${await clientToken(d, d.seed.outsider)}` },
    { row: '404 path typo', status: 404, path: '/v1/mailboxs', credential: async (d) => `Bearer ${await clientToken(d, d.seed.agent)}` },
  ];
  for (const refusal of refusals) {
    it(`error table: ${refusal.row}`, async () => {
      const authorization = await refusal.credential(demo);
      const response = await fetch(`${demo.urls.mail}${refusal.path ?? '/v1/mailboxes'}`, { headers: authorization ? { authorization } : {} });
      assert.equal(response.status, refusal.status);
      if (refusal.status === 401 || refusal.status === 403) {
        const challenge = response.headers.get('www-authenticate') ?? '';
        assert.match(challenge, /^Bearer/);
        if (refusal.error) assert.match(challenge, new RegExp(`error="${refusal.error}"`));
        else assert.doesNotMatch(challenge, /error=/);
      }
      if (refusal.error) assert.equal((await body(response)).error, refusal.error);
    });
  }

  it('error table: 429 when a client keeps asking for tokens, with Retry-After', async () => {
    let response: Response | undefined;
    for (let i = 0; i < 40; i++) {
      response = await form(`${demo.urls.latchkey}/application/o/token/`, { grant_type: 'client_credentials', client_id: demo.seed.outsider.clientId, client_secret: demo.seed.outsider.clientSecret });
      if (response.status === 429) break;
      assert.equal(response.status, 200);
    }
    assert.equal(response?.status, 429);
    assert.match(response?.headers.get('retry-after') ?? '', /^\d+$/);
  });
});
