/**
 * Replays seed 002 (a third-party app's OAuth2 guide) against the demo: the authorization URL without PKCE
 * (`scope=profile organization`, `state`), the redirect back with `state` and `code`, the JSON code exchange
 * with the client secret in the body at `/oauth2/token`, and the JSON refresh that invalidates the old token.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo } from '../src/start-demo.ts';
import type { Demo } from '../src/start-demo.ts';
import { body, postJson } from './support/idp.ts';
import { authorizationCode } from './support/hosted-login.ts';

describe('seed 002 replay', () => {
  let demo: Demo;
  before(async () => {
    demo = await startDemo();
  });
  after(() => demo.stop());

  it('steps 1 to 4: authorize, check state, exchange the code (JSON), refresh (JSON) with rotation', async () => {
    const app = demo.seed.partnerApp;
    const issued = await authorizationCode(demo, { clientId: app.clientId, redirectUri: app.redirectUri, scope: 'profile organization', pkce: false });
    assert.equal(issued.redirect.searchParams.get('state'), issued.state);

    const exchanged = await postJson(`${demo.urls.latchkey}/oauth2/token`, {
      grant_type: 'authorization_code',
      code: issued.code,
      redirect_uri: app.redirectUri,
      client_id: app.clientId,
      client_secret: app.clientSecret,
    });
    assert.equal(exchanged.status, 200);
    const tokens = await body(exchanged);
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(typeof tokens.expires_in, 'number');
    assert.equal(typeof tokens.access_token, 'string');
    assert.equal(typeof tokens.refresh_token, 'string');

    const refreshed = await postJson(`${demo.urls.latchkey}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: app.clientId, client_secret: app.clientSecret });
    assert.equal(refreshed.status, 200);
    const rotated = await body(refreshed);
    assert.equal(rotated.token_type, 'Bearer');
    assert.notEqual(rotated.refresh_token, tokens.refresh_token);
    // Once the new one is used, the old one is not valid any more (before that, within the tenant's
    // reuse_grace, it would be a retry of a lost answer and get the same new token again).
    const next = await postJson(`${demo.urls.latchkey}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: rotated.refresh_token, client_id: app.clientId, client_secret: app.clientSecret });
    assert.equal(next.status, 200);
    const old = await postJson(`${demo.urls.latchkey}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: app.clientId, client_secret: app.clientSecret });
    assert.equal(old.status, 400, 'the old refresh token is not valid any more');
  });

  it('step 3 with a wrong client secret or a reused code is refused', async () => {
    const app = demo.seed.partnerApp;
    const issued = await authorizationCode(demo, { clientId: app.clientId, redirectUri: app.redirectUri, scope: 'profile organization', pkce: false });
    const request = (secret: string) => postJson(`${demo.urls.latchkey}/oauth2/token`, { grant_type: 'authorization_code', code: issued.code, redirect_uri: app.redirectUri, client_id: app.clientId, client_secret: secret });
    assert.equal((await request('wrong')).status, 401);
    assert.equal((await request(app.clientSecret)).status, 200);
    // A code is single-use whatever the tenant's reuse_grace (refresh tokens only): used again at once, refused.
    assert.equal((await request(app.clientSecret)).status, 400);
  });
});
