/**
 * Replays seed 004 (flow editor BFF, `/api/v1/auth/*` and `/v1/me`) against the demo: public config,
 * exchange and refresh with the client secret added server-side (400 forwards the IdP's error, 502 when the
 * IdP fails or is unreachable, 503 when not configured), `me` with the local admin role, and dev_token mode.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startDemo } from '../src/start-demo.ts';
import type { Demo } from '../src/start-demo.ts';
import { startFlow } from '../src/products/flow.ts';
import { freePort } from '../src/serve.ts';
import { body, clientToken, postJson } from './support/idp.ts';
import { authorizationCode } from './support/hosted-login.ts';

describe('seed 004 replay', () => {
  let demo: Demo;
  before(async () => {
    demo = await startDemo();
  });
  after(() => demo.stop());

  it('GET /api/v1/auth/config is public and shows only public fields', async () => {
    const response = await fetch(`${demo.urls.flow}/api/v1/auth/config`);
    assert.equal(response.status, 200);
    assert.deepEqual(await body(response), {
      auth_mode: 'latchkey',
      latchkey_base_url: demo.seed.issuer,
      client_id: demo.seed.flow.clientId,
      audience: demo.seed.flow.clientId,
      redirect_uri: `${demo.urls.flow}/auth/callback`,
    });
  });

  it('POST /api/v1/auth/exchange forwards the IdP refusal as 400 with error and error_description', async () => {
    const response = await postJson(`${demo.urls.flow}/api/v1/auth/exchange`, {
      code: 'auth_code_from_authorize_redirect',
      code_verifier: 'the_pkce_verifier_the_browser_generated_0123456789',
      redirect_uri: `${demo.urls.flow}/auth/callback`,
    });
    assert.equal(response.status, 400);
    const { detail } = await body(response);
    assert.equal(typeof detail.error, 'string');
    assert.equal(typeof detail.error_description, 'string');
  });

  it('POST /api/v1/auth/refresh with a bad refresh token is 400 with the IdP error', async () => {
    const response = await postJson(`${demo.urls.flow}/api/v1/auth/refresh`, { refresh_token: 'nope' });
    assert.equal(response.status, 400);
    assert.equal(typeof (await body(response)).detail.error, 'string');
  });

  it('503 when the server has no Latchkey configuration', async () => {
    for (const path of ['exchange', 'refresh']) {
      const response = await postJson(`${demo.flowUnconfigured}/api/v1/auth/${path}`, { code: 'c', code_verifier: 'v', redirect_uri: 'r', refresh_token: 'r' });
      assert.equal(response.status, 503);
      assert.equal(typeof (await body(response)).detail, 'string');
    }
  });

  it('502 when the IdP is unreachable or answers 5xx', async () => {
    const deadPort = await freePort();
    const failing = createServer((req, res) => {
      if (req.url?.endsWith('/.well-known/openid-configuration')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ issuer: `http://127.0.0.1:${port}/t/x`, token_endpoint: `http://127.0.0.1:${port}/t/x/oauth2/token`, jwks_uri: `http://127.0.0.1:${port}/t/x/jwks` }));
        return;
      }
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"error":"temporarily_unavailable"}');
    });
    const port = await freePort();
    await new Promise<void>((resolve) => failing.listen(port, '127.0.0.1', resolve));
    const products = [
      await startFlow({ issuer: `http://127.0.0.1:${deadPort}/t/x`, clientId: 'c', clientSecret: 's', port: await freePort(), adminRoles: new Map() }),
      await startFlow({ issuer: `http://127.0.0.1:${port}/t/x`, clientId: 'c', clientSecret: 's', port: await freePort(), adminRoles: new Map() }),
    ];
    try {
      for (const product of products) {
        const response = await postJson(`${product.url}/api/v1/auth/exchange`, { code: 'c', code_verifier: 'v', redirect_uri: 'r' });
        assert.equal(response.status, 502);
        assert.match(String((await body(response)).detail), /upstream/);
      }
    } finally {
      for (const product of products) await product.close();
      await new Promise<void>((resolve) => failing.close(() => resolve()));
    }
  });

  it('GET /v1/me answers the principal merged with the local admin role; 401 without a token', async () => {
    const refused = await fetch(`${demo.urls.flow}/v1/me`);
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('www-authenticate') ?? '', /^Bearer/);
    const token = await clientToken(demo, demo.seed.flow);
    const me = await body(await fetch(`${demo.urls.flow}/v1/me`, { headers: { authorization: `Bearer ${token}` } }));
    assert.deepEqual(Object.keys(me).sort(), ['admin_role', 'display_name', 'email', 'name', 'partner_id', 'sub', 'tenant_id', 'tenant_slug']);
    assert.equal(me.tenant_id, demo.seed.tenantId);
    assert.equal(me.tenant_slug, demo.seed.slug);
    assert.equal(me.admin_role, null);
  });

  it('dev_token mode works in development and is refused when NODE_ENV=production', async () => {
    const devToken = 'dev-token-for-local-work-0123456789';
    const dev = await startFlow({ authMode: 'dev_token', devToken, nodeEnv: 'development', port: await freePort(), adminRoles: new Map([['usr_dev', 'super_admin']]) });
    try {
      assert.equal((await body(await fetch(`${dev.url}/api/v1/auth/config`))).auth_mode, 'dev_token');
      const me = await body(await fetch(`${dev.url}/v1/me`, { headers: { authorization: `Bearer ${devToken}` } }));
      assert.equal(me.admin_role, 'super_admin');
      assert.equal((await fetch(`${dev.url}/v1/me`, { headers: { authorization: 'Bearer something-else' } })).status, 401);
    } finally {
      await dev.close();
    }
    await assert.rejects(startFlow({ authMode: 'dev_token', devToken, nodeEnv: 'production', port: await freePort(), adminRoles: new Map() }), /production/);
  });

  it('the BFF flow: the browser brings code + verifier, exchange adds the secret, refresh works, me has admin_role', async () => {
    const redirectUri = `${demo.urls.flow}/auth/callback`;
    const issued = await authorizationCode(demo, { clientId: demo.seed.flow.clientId, redirectUri, scope: 'openid profile email offline_access' });
    const exchanged = await postJson(`${demo.urls.flow}/api/v1/auth/exchange`, { code: issued.code, code_verifier: issued.codeVerifier, redirect_uri: redirectUri });
    assert.equal(exchanged.status, 200);
    const tokens = await body(exchanged);
    assert.deepEqual(Object.keys(tokens).sort(), ['access_token', 'expires_in', 'id_token', 'refresh_token', 'token_type']);
    assert.equal(tokens.token_type, 'Bearer');
    const me = await body(await fetch(`${demo.urls.flow}/v1/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } }));
    assert.equal(me.sub, demo.seed.user.id);
    assert.equal(me.email, demo.seed.user.email);
    assert.equal(me.name, 'Ada');
    assert.equal(me.display_name, 'Ada Lovelace');
    assert.equal(me.admin_role, 'super_admin');
    const wrongVerifier = await authorizationCode(demo, { clientId: demo.seed.flow.clientId, redirectUri, scope: 'openid' });
    const mismatched = await postJson(`${demo.urls.flow}/api/v1/auth/exchange`, { code: wrongVerifier.code, code_verifier: 'x'.repeat(50), redirect_uri: redirectUri });
    assert.equal(mismatched.status, 400);
    assert.equal((await body(mismatched)).detail.error, 'invalid_grant');
    const refreshed = await postJson(`${demo.urls.flow}/api/v1/auth/refresh`, { refresh_token: tokens.refresh_token });
    assert.equal(refreshed.status, 200);
    assert.equal(typeof (await body(refreshed)).access_token, 'string');
  });
});
