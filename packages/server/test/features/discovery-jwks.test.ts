/** Each tenant is an issuer: OpenID discovery, RFC 8414 metadata and a JWKS of its own. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { createTenantWithClient, issuerOf, startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { json } from '../support/http.ts';
import { createTenant } from '../../src/directory/tenants.ts';

for (const dialect of DIALECTS) {
  describe(`discovery and JWKS (${dialect})`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(dialect);
      await createTenantWithClient(server, 'acme');
      await createTenant(server.ctx, { slug: 'edge', settings: { signing_alg: 'EdDSA' } });
    });
    after(() => server.stop());

    it('publishes OpenID discovery whose issuer and endpoints belong to the tenant', async () => {
      const issuer = issuerOf(server, 'acme');
      const response = await fetch(`${issuer}/.well-known/openid-configuration`);
      assert.equal(response.status, 200);
      const metadata = await json(response);
      assert.equal(metadata.issuer, issuer);
      assert.equal(metadata.jwks_uri, `${issuer}/jwks`);
      assert.equal(metadata.token_endpoint, `${issuer}/oauth2/token`);
      assert.ok((metadata.grant_types_supported as string[]).includes('client_credentials'));
      assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
      assert.deepEqual(metadata.id_token_signing_alg_values_supported, ['RS256']);
      assert.ok((metadata.token_endpoint_auth_methods_supported as string[]).includes('client_secret_basic'));
    });

    it('serves the same document at the RFC 8414 well-known location', async () => {
      const inserted = await json(await fetch(`${server.url}/.well-known/oauth-authorization-server/t/acme`));
      const suffixed = await json(await fetch(`${issuerOf(server, 'acme')}/.well-known/openid-configuration`));
      assert.deepEqual(inserted, suffixed);
    });

    it('publishes public keys only, with kid, alg and use', async () => {
      const response = await fetch(`${issuerOf(server, 'acme')}/jwks`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('cache-control') ?? '', /max-age=/);
      const { keys } = (await response.json()) as { keys: Array<Record<string, unknown>> };
      assert.equal(keys.length, 1);
      const [key] = keys;
      assert.equal(key!.kty, 'RSA');
      assert.equal(key!.alg, 'RS256');
      assert.equal(key!.use, 'sig');
      assert.match(String(key!.kid), /^key_/);
      for (const privateMember of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(key![privateMember], undefined);
      const alias = await (await fetch(`${server.url}/application/o/acme/jwks/`)).json();
      assert.deepEqual(alias, { keys });
    });

    it('keeps tenants apart: another tenant has its own key and algorithm', async () => {
      const { keys } = (await (await fetch(`${issuerOf(server, 'edge')}/jwks`)).json()) as { keys: Array<Record<string, unknown>> };
      assert.equal(keys.length, 1);
      assert.equal(keys[0]!.kty, 'OKP');
      assert.equal(keys[0]!.crv, 'Ed25519');
      assert.equal(keys[0]!.alg, 'EdDSA');
      const acme = (await (await fetch(`${issuerOf(server, 'acme')}/jwks`)).json()) as { keys: Array<Record<string, unknown>> };
      assert.notEqual(acme.keys[0]!.kid, keys[0]!.kid);
    });

    it('answers 404 JSON for an unknown tenant and for a slug that is not one', async () => {
      for (const path of ['/t/nobody/.well-known/openid-configuration', '/t/nobody/jwks', '/t/..%2f..%2fetc/jwks', '/t/A_B/jwks']) {
        const response = await fetch(`${server.url}${path}`);
        assert.equal(response.status, 404, path);
        assert.equal((await json(response)).error, 'not_found');
      }
    });
  });
}
