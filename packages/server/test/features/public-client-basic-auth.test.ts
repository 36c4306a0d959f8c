/**
 * Regression (issue 14.11): a public client that sends `Authorization: Basic base64(client_id + ":")` — an empty
 * password, the default of requests-oauthlib and of Go's x/oauth2 once it has cached the Basic style — was refused
 * with invalid_client. That header is `none` authentication for a public client (as ORY fosite treats it); a
 * confidential client sending an empty password is still refused. Through the real token endpoint.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { json, postForm } from '../support/http.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { signIn } from '../support/sign-in.ts';
import { createClient } from '../../src/directory/clients.ts';

/** What requests-oauthlib and x/oauth2 send for a client without a secret: the id, a colon, nothing. */
function emptyPasswordBasic(clientId: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:`).toString('base64')}`;
}

for (const dialect of DIALECTS) {
  describe(`public clients sending Basic with an empty password (${dialect})`, () => {
    let server: TestServer;
    let acme: SignInFixture;
    let publicClientId: string;

    before(async () => {
      server = await startTestServer(dialect);
      acme = await createSignInFixture(server, 'acme');
      publicClientId = (await createClient(server.ctx, acme.tenant, { name: 'acme cli', type: 'public', redirectUris: [acme.redirectUri], grantTypes: ['authorization_code', 'refresh_token'] })).client.clientId;
    });
    after(() => server.stop());

    it('exchanges the code and refreshes as `none` authentication', async () => {
      const result = await signIn({ ...acme, clientId: publicClientId, scope: 'openid offline_access' });
      assert.ok(result.code);
      const authorization = emptyPasswordBasic(publicClientId);
      const exchanged = await postForm(`${acme.issuer}/oauth2/token`, { grant_type: 'authorization_code', code: result.code, redirect_uri: acme.redirectUri, code_verifier: result.pkce.verifier }, { authorization });
      const tokens = await json(exchanged);
      assert.equal(exchanged.status, 200, JSON.stringify(tokens));
      assert.equal(typeof tokens.access_token, 'string');
      assert.equal(typeof tokens.refresh_token, 'string');

      const refreshed = await postForm(`${server.url}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string }, { authorization });
      assert.equal(refreshed.status, 200, JSON.stringify(await json(refreshed.clone())));
      assert.equal(typeof (await json(refreshed)).access_token, 'string');
    });

    it('still refuses a public client whose Basic header carries a password', async () => {
      const response = await postForm(`${acme.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: 'whatever' }, { authorization: `Basic ${Buffer.from(`${publicClientId}:not-a-secret`).toString('base64')}` });
      assert.equal(response.status, 401);
      assert.equal((await json(response)).error, 'invalid_client');
    });

    it('refuses a confidential client with an empty password, and burns nothing', async () => {
      const result = await signIn({ ...acme });
      assert.ok(result.code);
      const refused = await postForm(
        `${acme.issuer}/oauth2/token`,
        { grant_type: 'authorization_code', code: result.code, redirect_uri: acme.redirectUri, code_verifier: result.pkce.verifier },
        { authorization: emptyPasswordBasic(acme.clientId) },
      );
      assert.equal(refused.status, 401);
      assert.equal((await json(refused)).error, 'invalid_client');
      assert.match(refused.headers.get('www-authenticate') ?? '', /^Basic /);
      // The code was not consumed by the refused request: the client's real credentials still redeem it.
      const redeemed = await postForm(`${acme.issuer}/oauth2/token`, { grant_type: 'authorization_code', code: result.code, redirect_uri: acme.redirectUri, code_verifier: result.pkce.verifier, client_id: acme.clientId, client_secret: acme.clientSecret });
      assert.equal(redeemed.status, 200);
    });
  });
}
