/**
 * Seed 001: the password grant is off by default and turned on per tenant (`features.auth.password_grant_enabled`);
 * the same answer for unknown users and wrong passwords. Its lockout is tested with the page's in sign-in-limits.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { json, postForm } from '../support/http.ts';
import { snapshotDatabase } from '../support/snapshot.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';

const PASSWORD_CLIENT = { grantTypes: ['authorization_code', 'refresh_token', 'password'] };

function passwordGrant(fixture: SignInFixture, username: string, password: string, extra: Record<string, string> = {}): Promise<Response> {
  return postForm(`${fixture.issuer}/oauth2/token`, { grant_type: 'password', username, password, client_id: fixture.clientId, client_secret: fixture.clientSecret, ...extra });
}

for (const dialect of DIALECTS) {
  describe(`password grant (${dialect})`, () => {
    let server: TestServer;
    let off: SignInFixture;
    let on: SignInFixture;

    before(async () => {
      server = await startTestServer(dialect);
      off = await createSignInFixture(server, 'off', { client: PASSWORD_CLIENT });
      on = await createSignInFixture(server, 'on', { client: PASSWORD_CLIENT, settings: { features: { auth: { password_grant_enabled: true } } } });
    });
    after(() => server.stop());

    it('is refused with unauthorized_client and a clear description while the tenant has it off (the default)', async () => {
      const before = await snapshotDatabase(server.ctx.db, dialect);
      const response = await passwordGrant(off, off.login, off.password);
      assert.equal(response.status, 400);
      const body = await json(response);
      assert.equal(body.error, 'unauthorized_client');
      assert.match(String(body.error_description), /password grant is disabled for this tenant.*features\.auth\.password_grant_enabled/);
      assert.deepEqual(await snapshotDatabase(server.ctx.db, dialect), before);
      const discovery = await json(await fetch(`${off.issuer}/.well-known/openid-configuration`));
      assert.ok(!(discovery.grant_types_supported as string[]).includes('password'));
    });

    it('issues access, refresh and ID tokens where the tenant turned it on (username or email, any case)', async () => {
      const response = await passwordGrant(on, 'ADA-ON', on.password, { scope: 'openid email' });
      assert.equal(response.status, 200);
      const tokens = await json(response);
      assert.equal(tokens.scope, 'openid email');
      assert.equal(typeof tokens.refresh_token, 'string');
      assert.equal(decodeJwt(tokens.id_token as string).sub, on.user.id);
      assert.equal(decodeJwt(tokens.access_token as string).email, on.login);
      const refreshed = await postForm(`${on.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string, client_id: on.clientId, client_secret: on.clientSecret });
      assert.equal(refreshed.status, 200);
      const discovery = await json(await fetch(`${on.issuer}/.well-known/openid-configuration`));
      assert.ok((discovery.grant_types_supported as string[]).includes('password'));
    });

    it('answers a wrong password and an unknown user alike', async () => {
      const wrong = await json(await passwordGrant(on, on.login, 'not the password'));
      const unknown = await json(await passwordGrant(on, 'nobody@on.example', 'not the password'));
      assert.deepEqual(wrong, { error: 'invalid_grant', error_description: 'the username or password is incorrect' });
      assert.deepEqual(unknown, wrong);
    });
  });
}
