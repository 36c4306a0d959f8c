/** RS256 by default; ES256 and EdDSA per tenant. Tokens of every algorithm verify against the tenant JWKS. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { issuerOf, startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { json, postForm } from '../support/http.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { createClient } from '../../src/directory/clients.ts';

describe('signing algorithms per tenant', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer('sqlite');
  });
  after(() => server.stop());

  for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
    it(`issues ${alg} access tokens that verify against the tenant JWKS`, async () => {
      const slug = `alg-${alg.toLowerCase()}`;
      const tenant = await createTenant(server.ctx, { slug, settings: { signing_alg: alg } });
      const { client, clientSecret } = await createClient(server.ctx, tenant, { name: 'agent' });
      const body = await json(await postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: client.clientId, client_secret: clientSecret! }));
      const token = body.access_token as string;
      assert.equal(decodeProtectedHeader(token).alg, alg);
      const jwks = await (await fetch(`${issuerOf(server, slug)}/jwks`)).json();
      const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: issuerOf(server, slug), audience: client.clientId, algorithms: [alg] });
      assert.equal(payload.client_id, client.clientId);
    });
  }

  it('refuses a signing algorithm the tenant does not allow', async () => {
    await assert.rejects(createTenant(server.ctx, { slug: 'bad-alg', settings: { signing_alg: 'HS256' } }), /signing_alg/);
    await assert.rejects(createTenant(server.ctx, { slug: 'bad-alg', settings: { signing_alg: 'ES256', allowed_signing_algs: ['RS256'] } }), /signing_alg/);
  });
});
