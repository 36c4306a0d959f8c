/**
 * The Fastify pre-handler over a real Latchkey server, wired as the kit's README shows it: a genuine token
 * reaches the route with `principalOf(request)` set; missing, malformed and foreign credentials get RFC 6750
 * 401 challenges, a missing scope a 403; a route without the guard has no principal.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { createTenantWithClient, issuerOf, startTestServer } from '../../server/test/support/server.ts';
import type { TenantWithClient, TestServer } from '../../server/test/support/server.ts';
import { postForm } from '../../server/test/support/http.ts';
import { createVerifier, fastifyGuard, principalOf, requireScope } from '../src/index.ts';

describe('Fastify guard', () => {
  let server: TestServer;
  let acme: TenantWithClient;
  let app: FastifyInstance;

  const token = async (scope = 'openid') => {
    const response = await postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: acme.clientId, client_secret: acme.clientSecret, scope });
    return ((await response.json()) as { access_token: string }).access_token;
  };
  const get = (url: string, authorization?: string) => app.inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization } });

  before(async () => {
    server = await startTestServer('sqlite');
    acme = await createTenantWithClient(server, 'acme', { scopes: ['openid', 'mail:read'] });
    const verifier = createVerifier({ issuer: issuerOf(server, 'acme'), audience: acme.clientId });
    app = Fastify({ logger: false });
    app.get('/me', { preHandler: fastifyGuard(verifier) }, async (request) => ({ sub: principalOf(request).sub, kind: principalOf(request).kind }));
    app.get('/mailboxes', { preHandler: fastifyGuard(verifier, requireScope('mail:read')) }, async (request) => ({ scopes: principalOf(request).scopes }));
    app.get('/unguarded', async (request) => ({ sub: principalOf(request).sub }));
    await app.ready();
  });
  after(async () => {
    await app.close();
    await server.stop();
  });

  it('lets a genuine token through with its principal, request after request', async () => {
    const bearer = `Bearer ${await token()}`;
    for (let i = 0; i < 3; i += 1) {
      const response = await get('/me', bearer);
      assert.equal(response.statusCode, 200);
      const body = response.json() as { sub: string; kind: string };
      assert.match(body.sub, /^usr_/);
      assert.equal(body.kind, 'service');
    }
  });

  it('answers 401 with RFC 6750 challenges for missing, malformed and forged credentials', async () => {
    const missing = await get('/me');
    assert.equal(missing.statusCode, 401);
    assert.equal(missing.headers['www-authenticate'], 'Bearer');
    assert.equal(missing.headers['cache-control'], 'no-store');
    for (const authorization of ['Bearer not a token', 'Bearer abc.def.ghi', `Bearer ${(await token()).slice(0, -4)}AAAA`]) {
      const refused = await get('/me', authorization);
      assert.equal(refused.statusCode, 401, authorization);
      assert.match(String(refused.headers['www-authenticate']), /^Bearer error="invalid_token", error_description="[^"]+"$/);
      assert.equal((refused.json() as { error: string }).error, 'invalid_token');
    }
  });

  it('answers 403 insufficient_scope for a valid token lacking the scope, and 200 with it', async () => {
    const lacking = await get('/mailboxes', `Bearer ${await token('openid')}`);
    assert.equal(lacking.statusCode, 403);
    assert.match(String(lacking.headers['www-authenticate']), /error="insufficient_scope", error_description="[^"]+", scope="mail:read"/);
    const scoped = await get('/mailboxes', `Bearer ${await token('openid mail:read')}`);
    assert.equal(scoped.statusCode, 200);
    assert.deepEqual((scoped.json() as { scopes: string[] }).scopes, ['openid', 'mail:read']);
  });

  it('gives no principal to a route without the guard', async () => {
    await get('/me', `Bearer ${await token()}`);
    const response = await get('/unguarded', `Bearer ${await token()}`);
    assert.equal(response.statusCode, 500);
  });
});
