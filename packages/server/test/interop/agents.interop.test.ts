/**
 * Independent libraries against the agent features of issue 20: openid-client and oauth4webapi each register a
 * client dynamically (RFC 7591, with an initial access token), run the authorization code flow bound to an API
 * resource (RFC 8707 `resource` at authorize and token endpoints, PKCE S256, state and RFC 9207 `iss` checked by
 * the library), and exchange an API key for a token for that resource (RFC 8693) through their generic grant
 * functions, whose response checks they apply. Only `allowInsecureRequests` is relaxed, for http://127.0.0.1.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as openid from 'openid-client';
import * as oauth from 'oauth4webapi';
import { decodeJwt } from 'jose';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { followAuthorization } from '../support/sign-in.ts';
import { TEST_PASSWORD } from '../support/sign-in-fixture.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { createUser } from '../../src/directory/users.ts';
import { createApiKey } from '../../src/directory/api-keys.ts';
import { assignRoleToUser, createRole } from '../../src/directory/roles.ts';
import { createApiResource } from '../../src/resources/api-resources.ts';
import { createInitialAccessToken } from '../../src/resources/registration/initial-access-tokens.ts';

const NOTES = 'https://notes.example.com/mcp';
const REDIRECT = 'http://127.0.0.1:47012/callback';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const API_KEY_TYPE = 'urn:latchkey:params:oauth:token-type:api-key';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const METADATA = { redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token', TOKEN_EXCHANGE], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic', scope: 'notes.read', client_name: 'interop agent' };

let server: TestServer;
let issuer: string;
let apiKey: string;
let userId: string;
const initialTokens: string[] = [];

before(async () => {
  server = await startTestServer('sqlite');
  const ctx = server.ctx;
  const tenant = await createTenant(ctx, { slug: 'agents', name: 'Agents', settings: { client_registration: { enabled: true, grant_types: ['authorization_code', 'refresh_token', TOKEN_EXCHANGE] } } });
  issuer = `${server.url}/t/agents`;
  await createApiResource(ctx.db, tenant, { identifier: NOTES, scopes: ['notes.read', 'notes.write'], allClients: true }, ctx.now());
  const user = await createUser(ctx, tenant, { email: 'ada@agents.example', password: TEST_PASSWORD });
  userId = user.id;
  const role = await createRole(ctx.db, tenant.id, { name: 'reader', permissions: ['notes.read'] }, ctx.now());
  await assignRoleToUser(ctx.db, tenant.id, user.id, role.id, ctx.now());
  apiKey = (await createApiKey(ctx.db, tenant, { ownerUserId: user.id }, ctx.now())).key;
  for (let i = 0; i < 2; i++) initialTokens.push((await createInitialAccessToken(ctx.db, tenant.id, { name: `interop ${i}`, singleUse: true }, ctx.now())).token);
});
after(() => server.stop());

describe('interop: openid-client registers, signs in for a resource and exchanges an API key', () => {
  let config: openid.Configuration;

  it('registers dynamically with an initial access token', async () => {
    config = await openid.dynamicClientRegistration(new URL(issuer), METADATA, undefined, { initialAccessToken: initialTokens[0], execute: [openid.allowInsecureRequests] });
    assert.equal(config.serverMetadata().registration_endpoint, `${issuer}/oauth2/register`);
    assert.ok(config.clientMetadata().client_secret);
  });

  it('runs the code flow with resource: the token is for the resource, with its scope', async () => {
    const verifier = openid.randomPKCECodeVerifier();
    const state = openid.randomState();
    const url = openid.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'notes.read', resource: NOTES, state, code_challenge: await openid.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const { callback } = await followAuthorization(url, { issuer, redirectUri: REDIRECT, login: 'ada@agents.example', password: TEST_PASSWORD });
    const tokens = await openid.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }, { resource: NOTES });
    const claims = decodeJwt(tokens.access_token);
    assert.equal(claims.aud, NOTES);
    assert.equal(claims.sub, userId);
    assert.equal(tokens.scope, 'notes.read');
  });

  it('exchanges an API key with the generic grant', async () => {
    const tokens = await openid.genericGrantRequest(config, TOKEN_EXCHANGE, { subject_token: apiKey, subject_token_type: API_KEY_TYPE, resource: NOTES });
    assert.equal(tokens.issued_token_type, ACCESS_TOKEN_TYPE);
    const claims = decodeJwt(tokens.access_token);
    assert.equal(claims.aud, NOTES);
    assert.deepEqual(claims.permissions, ['notes.read']);
  });
});

describe('interop: oauth4webapi registers, signs in for a resource and exchanges an API key', () => {
  const http = { [oauth.allowInsecureRequests]: true } as const;
  let as: oauth.AuthorizationServer;
  let client: oauth.Client;
  let auth: oauth.ClientAuth;

  it('discovers with RFC 8414 and registers dynamically', async () => {
    const url = new URL(issuer);
    as = await oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { algorithm: 'oauth2', ...http }));
    const registered = await oauth.processDynamicClientRegistrationResponse(await oauth.dynamicClientRegistrationRequest(as, METADATA, { initialAccessToken: initialTokens[1], ...http }));
    client = { client_id: registered.client_id };
    auth = oauth.ClientSecretBasic(registered.client_secret as string);
    assert.deepEqual(registered.redirect_uris, [REDIRECT]);
  });

  it('runs the code flow with resource', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({ response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, scope: 'notes.read', resource: NOTES, state, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' }).toString();
    const { callback } = await followAuthorization(url, { issuer, redirectUri: REDIRECT, login: 'ada@agents.example', password: TEST_PASSWORD });
    const params = oauth.validateAuthResponse(as, client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT, verifier, { additionalParameters: { resource: NOTES }, ...http });
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    assert.equal(decodeJwt(tokens.access_token).aud, NOTES);
    assert.equal(tokens.scope, 'notes.read');
  });

  it('exchanges an API key with the generic token endpoint request', async () => {
    const response = await oauth.genericTokenEndpointRequest(as, client, auth, TOKEN_EXCHANGE, { subject_token: apiKey, subject_token_type: API_KEY_TYPE, resource: NOTES }, http);
    const tokens = await oauth.processGenericTokenEndpointResponse(as, client, response);
    assert.equal(tokens.issued_token_type, ACCESS_TOKEN_TYPE);
    assert.equal(decodeJwt(tokens.access_token).aud, NOTES);
  });

  it('a refused exchange surfaces as the library\'s OAuth error', async () => {
    const response = await oauth.genericTokenEndpointRequest(as, client, auth, TOKEN_EXCHANGE, { subject_token: 'sg_live_unknownkey000000000000', subject_token_type: API_KEY_TYPE, resource: NOTES }, http);
    await assert.rejects(oauth.processGenericTokenEndpointResponse(as, client, response), (error: unknown) => error instanceof oauth.ResponseBodyError && error.error === 'invalid_request');
  });
});
