/**
 * Independent clients (code nobody here wrote) against a running Latchkey, with their strict validations on:
 * openid-client and oauth4webapi perform discovery and client_credentials, and oauth4webapi validates the
 * access token as an RFC 9068 resource server would.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as openid from 'openid-client';
import * as oauth from 'oauth4webapi';
import { createTenantWithClient, issuerOf, startTestServer } from '../support/server.ts';
import type { TenantWithClient, TestServer } from '../support/server.ts';

describe('interop: client_credentials', () => {
  let server: TestServer;
  let acme: TenantWithClient;
  before(async () => {
    server = await startTestServer('sqlite');
    acme = await createTenantWithClient(server, 'acme', { scopes: ['openid', 'api:read'] });
  });
  after(() => server.stop());

  it('openid-client discovers the tenant and gets a token', async () => {
    const config = await openid.discovery(new URL(issuerOf(server, 'acme')), acme.clientId, acme.clientSecret, openid.ClientSecretBasic(acme.clientSecret), {
      execute: [openid.allowInsecureRequests],
    });
    assert.equal(config.serverMetadata().issuer, issuerOf(server, 'acme'));
    const tokens = await openid.clientCredentialsGrant(config, { scope: 'api:read' });
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.equal(tokens.scope, 'api:read');
    assert.equal(tokens.expires_in, 3600);
  });

  it('oauth4webapi gets a token with client_secret_post and validates it as an RFC 9068 JWT access token', async () => {
    const issuer = new URL(issuerOf(server, 'acme'));
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', [oauth.allowInsecureRequests]: true }));
    const client: oauth.Client = { client_id: acme.clientId };
    const response = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretPost(acme.clientSecret), new URLSearchParams({ scope: 'openid api:read' }), {
      [oauth.allowInsecureRequests]: true,
    });
    const result = await oauth.processClientCredentialsResponse(as, client, response);
    const request = new Request('http://127.0.0.1/resource', { headers: { authorization: `Bearer ${result.access_token}` } });
    const claims = await oauth.validateJwtAccessToken(as, request, acme.clientId, { [oauth.allowInsecureRequests]: true });
    assert.equal(claims.client_id, acme.clientId);
    assert.equal(claims.iss, issuer.href.replace(/\/$/, ''));
    assert.equal(claims.scope, 'openid api:read');
  });

  it('oauth4webapi sees the RFC 6749 §5.2 challenge for a wrong secret', async () => {
    const issuer = new URL(issuerOf(server, 'acme'));
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', [oauth.allowInsecureRequests]: true }));
    const client: oauth.Client = { client_id: acme.clientId };
    const response = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic('wrong'), new URLSearchParams(), { [oauth.allowInsecureRequests]: true });
    // A 401 carries WWW-Authenticate (RFC 6749 §5.2), which oauth4webapi reports as a challenge.
    await assert.rejects(
      oauth.processClientCredentialsResponse(as, client, response),
      (error: unknown) => error instanceof oauth.WWWAuthenticateChallengeError && error.status === 401 && error.cause[0]?.scheme === 'basic',
    );
  });
});
