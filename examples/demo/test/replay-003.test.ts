/**
 * Replays seed 003 (sending service, `/v3/auth/*`) against the demo: login → authorization_url + state,
 * callback (400 bad code, 401 state mismatch, 200 tokens + user), refresh, stateless logout, and `me` with
 * effective permissions and role, for a JWT and for an API key (`sg_live_…`).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo } from '../src/start-demo.ts';
import type { Demo } from '../src/start-demo.ts';
import { body, clientToken, postJson } from './support/idp.ts';
import { followSignIn } from './support/hosted-login.ts';

describe('seed 003 replay', () => {
  let demo: Demo;
  before(async () => {
    demo = await startDemo();
  });
  after(() => demo.stop());

  const v3 = (path: string) => `${demo.urls.sending}/v3/auth/${path}`;

  it('POST /v3/auth/login {"email"} returns the authorization URL and state', async () => {
    const response = await postJson(v3('login'), { email: 'you@example.com' });
    assert.equal(response.status, 200);
    const login = await body(response);
    assert.deepEqual(Object.keys(login).sort(), ['authorization_url', 'state']);
    const url = new URL(String(login.authorization_url));
    assert.equal(`${url.origin}${url.pathname}`, `${demo.seed.issuer}/oauth2/authorize`);
    assert.equal(url.searchParams.get('state'), login.state);
    assert.equal(url.searchParams.get('login_hint'), 'you@example.com');
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(url.searchParams.get('client_id'), demo.seed.sending.clientId);
    const bare = await postJson(v3('login'), {});
    assert.equal(bare.status, 200);
    assert.equal(new URL(String((await body(bare)).authorization_url)).searchParams.get('login_hint'), null);
  });

  it('POST /v3/auth/callback: 401 on a state this service did not issue, 400 on a bad code', async () => {
    const mismatch = await postJson(v3('callback'), { code: 'authorization-code-from-oauth-redirect', state: 'opaque-state-string' });
    assert.equal(mismatch.status, 401);
    const { state } = await body(await postJson(v3('login'), {}));
    const badCode = await postJson(v3('callback'), { code: 'authorization-code-from-oauth-redirect', state });
    assert.equal(badCode.status, 400);
    assert.equal(typeof (await body(badCode)).error, 'string');
  });

  it('POST /v3/auth/refresh with an invalid refresh token is 401', async () => {
    const response = await postJson(v3('refresh'), { refresh_token: 'rtk_invalid' });
    assert.equal(response.status, 401);
  });

  it('POST /v3/auth/logout is stateless: {"status": "ok"}', async () => {
    const response = await fetch(v3('logout'), { method: 'POST' });
    assert.equal(response.status, 200);
    assert.deepEqual(await body(response), { status: 'ok' });
  });

  it('GET /v3/auth/me without or with an invalid JWT is 401', async () => {
    assert.equal((await fetch(v3('me'))).status, 401);
    assert.equal((await fetch(v3('me'), { headers: { authorization: 'Bearer eyJhbGc.bad.jwt' } })).status, 401);
  });

  it('POST /v3/messages (Fastify guard): 401 without a credential, 403 for a token without mail.send', async () => {
    const missing = await fetch(`${demo.urls.sending}/v3/messages`, { method: 'POST' });
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
    const token = await clientToken(demo, demo.seed.sending);
    const lacking = await fetch(`${demo.urls.sending}/v3/messages`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    assert.equal(lacking.status, 403);
    assert.match(lacking.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
  });

  it('an API key (sg_live_…) is recognised by prefix: me and a permission-guarded call work, an unknown key is refused', async () => {
    const headers = { authorization: `Bearer ${demo.seed.apiKey}` };
    const me = await fetch(v3('me'), { headers });
    assert.equal(me.status, 200);
    const { data } = await body(me);
    assert.equal(data.id, demo.seed.user.id);
    assert.equal(data.tenant_id, demo.seed.tenantId);
    assert.deepEqual(data.permissions, ['mail.send']);
    const sent = await fetch(`${demo.urls.sending}/v3/messages`, { method: 'POST', headers });
    assert.equal(sent.status, 202);
    assert.equal((await body(sent)).data.via, 'api_key');
    const unknown = await fetch(v3('me'), { headers: { authorization: `Bearer sg_live_${'x'.repeat(49)}` } });
    assert.equal(unknown.status, 401);
  });

  it('the full flow: login, hosted sign-in, callback with tokens and user, me with permissions and role, refresh rotates', async () => {
    const { authorization_url, state } = await body(await postJson(v3('login'), { email: demo.seed.user.email }));
    const redirect = await followSignIn(String(authorization_url), `${demo.urls.sending}/callback`, demo.seed.user.email, demo.seed.user.password);
    assert.equal(redirect.searchParams.get('state'), state);
    const code = redirect.searchParams.get('code') ?? '';
    const tampered = await postJson(v3('callback'), { code, state: `${state}x` });
    assert.equal(tampered.status, 401);
    const callback = await postJson(v3('callback'), { code, state });
    assert.equal(callback.status, 200);
    const tokens = await body(callback);
    assert.deepEqual(Object.keys(tokens).sort(), ['access_token', 'expires_in', 'refresh_token', 'user']);
    assert.deepEqual(tokens.user, { id: demo.seed.user.id, email: demo.seed.user.email, first_name: 'Ada', last_name: 'Lovelace', display_name: 'Ada Lovelace', tenant_id: demo.seed.tenantId });
    const me = await body(await fetch(v3('me'), { headers: { authorization: `Bearer ${tokens.access_token}` } }));
    assert.deepEqual(me.data, {
      id: demo.seed.user.id,
      email: demo.seed.user.email,
      first_name: 'Ada',
      last_name: 'Lovelace',
      display_name: 'Ada Lovelace',
      name: 'Ada Lovelace',
      status: 'active',
      tenant_id: demo.seed.tenantId,
      permissions: ['mail.send', 'stats.read', 'templates.read'],
      role: 'developer',
    });

    const refreshed = await postJson(v3('refresh'), { refresh_token: tokens.refresh_token });
    assert.equal(refreshed.status, 200);
    const rotated = await body(refreshed);
    assert.deepEqual(Object.keys(rotated).sort(), ['access_token', 'expires_in', 'refresh_token']);
    assert.notEqual(rotated.refresh_token, tokens.refresh_token);
    // Once the new refresh token is used, the rotated-out one is refused (before that, within the tenant's
    // reuse_grace, it would be a retry of a lost answer).
    assert.equal((await postJson(v3('refresh'), { refresh_token: rotated.refresh_token })).status, 200);
    const replayed = await postJson(v3('refresh'), { refresh_token: tokens.refresh_token });
    assert.equal(replayed.status, 401, 'the rotated-out refresh token is refused');
    const again = await postJson(v3('callback'), { code, state });
    assert.equal(again.status, 400, 'a code works once');
  });
});
