/**
 * Seed 000: an admin registers an application and a headless agent gets an RS256 JWT with client_credentials.
 * Every client-authentication failure and malformed body gets the right 4xx and changes nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { DIALECTS } from '../support/databases.ts';
import { createTenantWithClient, issuerOf, startTestServer } from '../support/server.ts';
import type { TenantWithClient, TestServer } from '../support/server.ts';
import { basicAuth, json, postForm, postJson } from '../support/http.ts';
import { snapshotDatabase } from '../support/snapshot.ts';
import { createClient } from '../../src/directory/clients.ts';

for (const dialect of DIALECTS) {
  describe(`client_credentials (${dialect})`, () => {
    let server: TestServer;
    let acme: TenantWithClient;
    let publicClientId: string;

    before(async () => {
      server = await startTestServer(dialect);
      acme = await createTenantWithClient(server, 'acme');
      publicClientId = (await createClient(server.ctx, acme.tenant, { name: 'spa', type: 'public', redirectUris: ['http://127.0.0.1:5555/cb'] })).client.clientId;
    });
    after(() => server.stop());

    it('answers seed 000 request with the documented shape, and the JWT verifies against the tenant JWKS', async () => {
      const response = await postForm(`${server.url}/application/o/token/`, {
        grant_type: 'client_credentials',
        client_id: acme.clientId,
        client_secret: acme.clientSecret,
        scope: 'openid',
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const body = await json(response);
      assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, 3600);
      assert.equal(body.scope, 'openid');

      const token = body.access_token as string;
      const header = decodeProtectedHeader(token);
      assert.equal(header.alg, 'RS256');
      assert.equal(header.typ, 'at+jwt');
      assert.ok(header.kid);
      const jwks = await (await fetch(`${issuerOf(server, 'acme')}/jwks`)).json();
      const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: issuerOf(server, 'acme'), audience: acme.clientId, typ: 'at+jwt' });
      assert.equal(payload.client_id, acme.clientId);
      assert.equal(payload.scope, 'openid');
      assert.match(String(payload.sub), /^usr_/);
      assert.match(String(payload.preferred_username), /^service-account-/);
      assert.deepEqual(payload.groups, []);
      assert.equal(payload.tenant_id, acme.tenant.id);
      assert.ok(typeof payload.jti === 'string' && payload.jti.length > 0);
      assert.equal(Number(payload.exp) - Number(payload.iat), 3600);
    });

    it('accepts client_secret_basic, the per-tenant endpoint and a JSON body (seed 002)', async () => {
      const viaBasic = await postForm(`${issuerOf(server, 'acme')}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basicAuth(acme.clientId, acme.clientSecret) });
      assert.equal(viaBasic.status, 200);
      const viaJson = await postJson(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: acme.clientId, client_secret: acme.clientSecret });
      assert.equal(viaJson.status, 200);
      assert.equal((await json(viaJson)).scope, 'openid profile email');
    });

    const failures: Array<{ name: string; status: number; error: string; request: () => Promise<Response> }> = [
      { name: 'unknown client', status: 401, error: 'invalid_client', request: () => postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: 'nope', client_secret: 'x' }) },
      { name: 'wrong secret', status: 401, error: 'invalid_client', request: () => postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: acme.clientId, client_secret: 'wrong' }) },
      { name: 'wrong secret (Basic)', status: 401, error: 'invalid_client', request: () => postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basicAuth(acme.clientId, 'wrong') }) },
      { name: 'malformed Basic header', status: 401, error: 'invalid_client', request: () => postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: 'Basic %%%not-base64' }) },
      { name: 'no client authentication', status: 401, error: 'invalid_client', request: () => postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials' }) },
      {
        name: 'secret in two places',
        status: 400,
        error: 'invalid_request',
        request: () => postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', client_secret: acme.clientSecret }, { authorization: basicAuth(acme.clientId, acme.clientSecret) }),
      },
      { name: 'public client on client_credentials', status: 400, error: 'unauthorized_client', request: () => postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: publicClientId }) },
      { name: 'client of another tenant on a tenant endpoint', status: 404, error: 'not_found', request: () => postForm(`${server.url}/t/other/oauth2/token`, { grant_type: 'client_credentials', client_id: acme.clientId, client_secret: acme.clientSecret }) },
      {
        name: 'wrong content type',
        status: 400,
        error: 'invalid_request',
        request: () => fetch(`${server.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: `grant_type=client_credentials&client_id=${acme.clientId}` }),
      },
      { name: 'no body', status: 400, error: 'invalid_request', request: () => fetch(`${server.url}/oauth2/token`, { method: 'POST' }) },
      { name: 'missing grant_type', status: 400, error: 'invalid_request', request: () => postForm(`${server.url}/oauth2/token`, { client_id: acme.clientId, client_secret: acme.clientSecret }) },
      {
        name: 'repeated parameter',
        status: 400,
        error: 'invalid_request',
        request: () => fetch(`${server.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=client_credentials&scope=openid&scope=email&client_id=${acme.clientId}&client_secret=${acme.clientSecret}` }),
      },
      { name: 'unsupported grant', status: 400, error: 'unsupported_grant_type', request: () => postForm(`${server.url}/oauth2/token`, { grant_type: 'urn:x:nope', client_id: acme.clientId, client_secret: acme.clientSecret }) },
      { name: 'scope not allowed', status: 400, error: 'invalid_scope', request: () => postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: acme.clientId, client_secret: acme.clientSecret, scope: 'openid admin:everything' }) },
      { name: 'oversize body', status: 413, error: 'invalid_request', request: () => postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: acme.clientId, client_secret: acme.clientSecret, pad: 'x'.repeat(70_000) }) },
      {
        name: 'invalid JSON',
        status: 400,
        error: 'invalid_request',
        request: () => fetch(`${server.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grant_type": "client_credentials",' }),
      },
      { name: 'JSON of the wrong types', status: 400, error: 'invalid_request', request: () => postJson(`${server.url}/oauth2/token`, { grant_type: ['client_credentials'], client_id: acme.clientId }) },
      {
        name: 'bad percent-encoding',
        status: 400,
        error: 'invalid_request',
        request: () => fetch(`${server.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=%ff%fe' }),
      },
    ];

    for (const failure of failures) {
      it(`refuses ${failure.name} with ${failure.status} ${failure.error} and changes nothing`, async () => {
        const before = await snapshotDatabase(server.ctx.db, dialect);
        const response = await failure.request();
        assert.equal(response.status, failure.status);
        assert.match(response.headers.get('content-type') ?? '', /application\/json/);
        const body = await json(response);
        assert.equal(body.error, failure.error);
        assert.equal(typeof body.error_description, 'string');
        if (failure.status === 401) assert.match(response.headers.get('www-authenticate') ?? '', /^Basic /);
        assert.deepEqual(await snapshotDatabase(server.ctx.db, dialect), before);
      });
    }
  });
}
