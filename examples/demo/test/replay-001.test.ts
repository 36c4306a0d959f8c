/**
 * Replays seed 001 (chat product, `/v1/auth/*`) against the demo: config, login (code exchange, form or query),
 * token (password grant), refresh and register, with the `{"data": …}` envelope and the SW_AUTH_* errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo } from '../src/start-demo.ts';
import type { Demo } from '../src/start-demo.ts';
import { body, clientToken, form } from './support/idp.ts';
import { authorizationCode } from './support/hosted-login.ts';

describe('seed 001 replay', () => {
  let demo: Demo;
  before(async () => {
    demo = await startDemo();
  });
  after(() => demo.stop());

  it('GET /v1/auth/config returns the OIDC bootstrap in the data envelope', async () => {
    const response = await fetch(`${demo.urls.chat}/v1/auth/config`);
    assert.equal(response.status, 200);
    const { data } = await body(response);
    assert.deepEqual(Object.keys(data).sort(), ['authorization_endpoint', 'issuer', 'redirect_uri', 'scopes_supported', 'token_endpoint']);
    assert.equal(data.issuer, demo.seed.issuer);
    assert.equal(data.redirect_uri, `${demo.urls.chat}/v1/auth/login`);
    assert.deepEqual((data.scopes_supported as unknown as string[]).slice(0, 3), ['openid', 'profile', 'email']);
  });

  it('POST /v1/auth/login with an invalid code is SW_AUTH_OIDC_FAILED', async () => {
    const response = await form(`${demo.urls.chat}/v1/auth/login`, { code: 'not-a-real-code', redirect_uri: `${demo.urls.chat}/v1/auth/login` });
    assert.equal(response.status, 401);
    assert.equal((await body(response)).error.code, 'SW_AUTH_OIDC_FAILED');
  });

  it('POST /v1/auth/login with another redirect_uri is SW_AUTH_REDIRECT_MISMATCH', async () => {
    const response = await form(`${demo.urls.chat}/v1/auth/login`, { code: 'whatever', redirect_uri: 'https://evil.example/v1/auth/login' });
    assert.equal(response.status, 400);
    assert.equal((await body(response)).error.code, 'SW_AUTH_REDIRECT_MISMATCH');
  });

  it('POST /v1/auth/refresh with an unknown refresh token is SW_AUTH_OIDC_FAILED', async () => {
    const response = await form(`${demo.urls.chat}/v1/auth/refresh`, { refresh_token: 'nope' });
    assert.equal(response.status, 401);
    assert.equal((await body(response)).error.code, 'SW_AUTH_OIDC_FAILED');
  });

  it('POST /v1/auth/register without a bearer is 401; with one it is idempotent', async () => {
    const refused = await fetch(`${demo.urls.chat}/v1/auth/register`, { method: 'POST' });
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('www-authenticate') ?? '', /^Bearer/);
    const token = await clientToken(demo, demo.seed.chat);
    const first = await fetch(`${demo.urls.chat}/v1/auth/register`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    assert.equal(first.status, 200);
    const { data } = await body(first);
    assert.deepEqual(Object.keys(data).sort(), ['display_name', 'email', 'participant_id', 'personal_workspace_id', 'tenant_id']);
    assert.equal(data.tenant_id, demo.seed.tenantId);
    const second = await body(await fetch(`${demo.urls.chat}/v1/auth/register`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }));
    assert.equal(second.data.participant_id, data.participant_id);
    assert.equal(second.data.personal_workspace_id, data.personal_workspace_id);
  });

  it('POST /v1/auth/token (password grant) returns tokens in the data envelope', async () => {
    const response = await form(`${demo.urls.chat}/v1/auth/token`, { grant_type: 'password', username: demo.seed.user.email, password: demo.seed.user.password });
    assert.equal(response.status, 200);
    const { data } = await body(response);
    assert.deepEqual(Object.keys(data).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type']);
    assert.equal(data.token_type, 'Bearer');
    const wrong = await form(`${demo.urls.chat}/v1/auth/token`, { grant_type: 'password', username: demo.seed.user.email, password: 'wrong password!' });
    assert.equal(wrong.status, 401);
    assert.equal((await body(wrong)).error.code, 'SW_AUTH_OIDC_FAILED');
  });

  it('the code flow: login exchanges the code (form and query), refresh rotates, register knows the person', async () => {
    const redirectUri = `${demo.urls.chat}/v1/auth/login`;
    const viaForm = await authorizationCode(demo, { clientId: demo.seed.chat.clientId, redirectUri, scope: 'openid profile email offline_access', pkce: false });
    const login = await form(`${demo.urls.chat}/v1/auth/login`, { code: viaForm.code, redirect_uri: redirectUri });
    assert.equal(login.status, 200);
    const { data } = await body(login);
    assert.deepEqual(Object.keys(data).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type']);
    const viaQuery = await authorizationCode(demo, { clientId: demo.seed.chat.clientId, redirectUri, scope: 'openid profile email offline_access', pkce: false });
    const queryLogin = await fetch(`${demo.urls.chat}/v1/auth/login?code=${encodeURIComponent(viaQuery.code)}`, { method: 'POST' });
    assert.equal(queryLogin.status, 200);
    const reused = await form(`${demo.urls.chat}/v1/auth/login`, { code: viaForm.code });
    assert.equal(reused.status, 401);
    assert.equal((await body(reused)).error.code, 'SW_AUTH_OIDC_FAILED');

    // The reused code revoked what it had issued (RFC 6749 §4.1.2): refresh with the other login's token.
    const { data: second } = await body(queryLogin);
    const refreshed = await form(`${demo.urls.chat}/v1/auth/refresh`, { refresh_token: String(second.refresh_token) });
    assert.equal(refreshed.status, 200);
    const rotated = (await body(refreshed)).data;
    assert.equal(typeof rotated.access_token, 'string');

    const registered = await body(await fetch(`${demo.urls.chat}/v1/auth/register`, { method: 'POST', headers: { authorization: `Bearer ${rotated.access_token}` } }));
    assert.equal(registered.data.email, demo.seed.user.email);
    assert.equal(registered.data.tenant_id, demo.seed.tenantId);
  });
});
