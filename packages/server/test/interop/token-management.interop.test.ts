/**
 * Independent clients manage a signed-in user's tokens with their strict response checks on: openid-client
 * (`tokenIntrospection`, `tokenRevocation`) and oauth4webapi (`introspectionRequest`, `revocationRequest`)
 * introspect the access and the refresh token (RFC 7662: active, then inactive), revoke each (RFC 7009: an access
 * token by its `jti`, a refresh token with its whole family), and see the revoked tokens refused where they are used.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as openid from 'openid-client';
import * as oauth from 'oauth4webapi';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { createSignInFixture } from '../support/sign-in-fixture.ts';
import type { SignInFixture } from '../support/sign-in-fixture.ts';
import {
  SCOPE,
  discoverWithOauth4webapi,
  discoverWithOpenidClient,
  introspectWithOauth4webapi,
  refreshWithOauth4webapi,
  revokeWithOauth4webapi,
  signInWithOauth4webapi,
  signInWithOpenidClient,
} from './relying-parties.ts';
import type { Oauth4webapiParty } from './relying-parties.ts';

const isInvalidGrant = (error: unknown) => error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant';
/** RFC 6750 §3.1: a revoked bearer token at a protected resource is a 401 challenge with invalid_token. */
const isInvalidToken = (error: unknown) => error instanceof oauth.WWWAuthenticateChallengeError && error.status === 401 && error.cause[0]?.parameters.error === 'invalid_token';

/** What both libraries must read from introspecting a signed-in user's live tokens (RFC 7662 §2.2). */
function assertActive(access: Record<string, unknown>, refresh: Record<string, unknown>, fixture: SignInFixture): void {
  assert.equal(access.active, true);
  assert.equal(access.sub, fixture.user.id);
  assert.equal(access.client_id, fixture.clientId);
  assert.equal(access.iss, fixture.issuer);
  assert.equal(access.scope, SCOPE);
  assert.equal(access.token_type, 'Bearer');
  assert.equal(typeof access.exp, 'number');
  assert.equal(refresh.active, true);
  assert.equal(refresh.sub, fixture.user.id);
  assert.equal(refresh.client_id, fixture.clientId);
}

let server: TestServer;
before(async () => {
  server = await startTestServer('sqlite');
});
after(() => server.stop());

describe('interop: openid-client introspects and revokes (client_secret_post)', () => {
  let acme: SignInFixture;
  let config: openid.Configuration;
  let tokens: Awaited<ReturnType<typeof signInWithOpenidClient>>['tokens'];
  before(async () => {
    acme = await createSignInFixture(server, 'acme');
    config = await discoverWithOpenidClient(acme);
    ({ tokens } = await signInWithOpenidClient(config, acme));
  });

  it('introspects the access token and the refresh token as active', async () => {
    const access = await openid.tokenIntrospection(config, tokens.access_token, { token_type_hint: 'access_token' });
    const refresh = await openid.tokenIntrospection(config, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
    assertActive(access, refresh, acme);
    // No hint: the server finds the kind itself (RFC 7662 §2.1).
    assert.equal((await openid.tokenIntrospection(config, tokens.refresh_token!)).active, true);
  });

  it('revokes the access token: introspection says inactive, userinfo refuses it, the refresh token lives on', async () => {
    await openid.tokenRevocation(config, tokens.access_token, { token_type_hint: 'access_token' });
    assert.deepEqual(await openid.tokenIntrospection(config, tokens.access_token), { active: false });
    await assert.rejects(openid.fetchUserInfo(config, tokens.access_token, acme.user.id), isInvalidToken);
    assert.equal((await openid.tokenIntrospection(config, tokens.refresh_token!)).active, true);
  });

  it('revokes the refresh token with its family: both tokens inactive, the refresh is invalid_grant', async () => {
    const refreshed = await openid.refreshTokenGrant(config, tokens.refresh_token!);
    assert.deepEqual(await openid.tokenIntrospection(config, tokens.refresh_token!), { active: false }, 'rotated out');
    assert.equal((await openid.tokenIntrospection(config, refreshed.access_token)).active, true);

    await openid.tokenRevocation(config, refreshed.refresh_token!, { token_type_hint: 'refresh_token' });
    assert.deepEqual(await openid.tokenIntrospection(config, refreshed.refresh_token!), { active: false });
    assert.deepEqual(await openid.tokenIntrospection(config, refreshed.access_token), { active: false }, 'access tokens of the family go too');
    await assert.rejects(openid.refreshTokenGrant(config, refreshed.refresh_token!), isInvalidGrant);
  });

  it('revoking an unknown token succeeds and reveals nothing (RFC 7009 §2.2)', async () => {
    await openid.tokenRevocation(config, 'not-a-token-of-this-server');
    assert.deepEqual(await openid.tokenIntrospection(config, 'not-a-token-of-this-server'), { active: false });
  });
});

describe('interop: oauth4webapi introspects and revokes (client_secret_basic)', () => {
  let globex: SignInFixture;
  let party: Oauth4webapiParty;
  let tokens: oauth.TokenEndpointResponse;
  before(async () => {
    globex = await createSignInFixture(server, 'globex');
    party = await discoverWithOauth4webapi(globex);
    ({ tokens } = await signInWithOauth4webapi(party, globex));
  });

  const userinfo = async (accessToken: string) => {
    const { as, client, http } = party;
    return oauth.processUserInfoResponse(as, client, globex.user.id, await oauth.userInfoRequest(as, client, accessToken, http));
  };

  it('introspects the access token and the refresh token as active', async () => {
    const access = await introspectWithOauth4webapi(party, tokens.access_token, 'access_token');
    const refresh = await introspectWithOauth4webapi(party, tokens.refresh_token!, 'refresh_token');
    assertActive(access, refresh, globex);
    assert.equal((await introspectWithOauth4webapi(party, tokens.refresh_token!)).active, true);
  });

  it('revokes the access token: introspection says inactive, userinfo refuses it, the refresh token lives on', async () => {
    await revokeWithOauth4webapi(party, tokens.access_token, 'access_token');
    assert.deepEqual(await introspectWithOauth4webapi(party, tokens.access_token), { active: false });
    await assert.rejects(userinfo(tokens.access_token), isInvalidToken);
    assert.equal((await introspectWithOauth4webapi(party, tokens.refresh_token!)).active, true);
  });

  it('revokes the refresh token with its family: both tokens inactive, the refresh is invalid_grant', async () => {
    const refreshed = await refreshWithOauth4webapi(party, tokens.refresh_token!);
    assert.deepEqual(await introspectWithOauth4webapi(party, tokens.refresh_token!), { active: false }, 'rotated out');
    assert.equal((await userinfo(refreshed.access_token)).sub, globex.user.id);

    await revokeWithOauth4webapi(party, refreshed.refresh_token!, 'refresh_token');
    assert.deepEqual(await introspectWithOauth4webapi(party, refreshed.refresh_token!), { active: false });
    assert.deepEqual(await introspectWithOauth4webapi(party, refreshed.access_token), { active: false }, 'access tokens of the family go too');
    await assert.rejects(refreshWithOauth4webapi(party, refreshed.refresh_token!), isInvalidGrant);
  });

  it('revoking an unknown token succeeds and reveals nothing (RFC 7009 §2.2)', async () => {
    await revokeWithOauth4webapi(party, 'not-a-token-of-this-server');
    assert.deepEqual(await introspectWithOauth4webapi(party, 'not-a-token-of-this-server'), { active: false });
  });
});
