/**
 * OAuth Client ID Metadata Documents (issue 20, item 4): a client_id that is a URL of a JSON document, served
 * here by a real HTTP server on loopback (with the test-only loopback setting). The document's redirect URIs are
 * matched exactly, it is cached as its Cache-Control says, and every bad document, address or server is a clear
 * invalid_client in bounded time with nothing registered.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { json, postForm } from '../support/http.ts';
import { createPkce, fetchWithJar, CookieJar, signIn } from '../support/sign-in.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { createUser } from '../../src/directory/users.ts';
import { TEST_PASSWORD } from '../support/sign-in-fixture.ts';

const REDIRECT = 'http://127.0.0.1:5999/callback';

/** A document server whose answers the tests choose per path; counts fetches per path. */
async function startDocumentServer(): Promise<{ server: Server; base: string; hits: Map<string, number> }> {
  const hits = new Map<string, number>();
  let base = '';
  const doc = (path: string, extra: Record<string, unknown> = {}) => JSON.stringify({ client_id: `${base}${path}`, client_name: 'Loopback agent', redirect_uris: [REDIRECT], ...extra });
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const send = (status: number, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => response.writeHead(status, headers).end(body);
    switch (path) {
      case '/agent.json': return send(200, doc(path, { grant_types: ['authorization_code', 'refresh_token'] }), { 'content-type': 'application/json', 'cache-control': 'max-age=60' });
      case '/no-store.json': return send(200, doc(path), { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      case '/mismatch.json': return send(200, doc('/someone-else.json'));
      case '/huge.json': return send(200, doc(path, { padding: 'x'.repeat(50_000) }));
      case '/chunked-huge.json': {
        response.writeHead(200, { 'content-type': 'application/json' });
        for (let i = 0; i < 100; i++) response.write('x'.repeat(1000));
        return response.end();
      }
      case '/slow.json': return void setTimeout(() => response.writeHead(200).end('{}'), 60_000).unref();
      case '/html': return send(200, doc(path), { 'content-type': 'text/html' });
      case '/missing.json': return send(404, '{}');
      case '/loop.json': return send(302, '', { location: '/loop.json' });
      case '/to-private.json': return send(302, '', { location: 'http://10.0.0.1/agent.json' });
      case '/http-redirect.json': return send(200, doc(path, { redirect_uris: ['http://agent.example.com/callback'] }));
      case '/secret.json': return send(200, doc(path, { client_secret: 'x' }));
      default: return send(404, '{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, base, hits };
}

for (const dialect of DIALECTS) {
  describe(`client ID metadata documents (${dialect})`, () => {
    let server: TestServer;
    let docs: Awaited<ReturnType<typeof startDocumentServer>>;
    let issuer: string;
    const clientCount = async () => (await server.ctx.db.selectFrom('clients').select('client_id').execute()).length;

    before(async () => {
      docs = await startDocumentServer();
      server = await startTestServer(dialect, { LATCHKEY_TEST_CLIENT_METADATA_LOOPBACK: 'true' });
      const tenant = await createTenant(server.ctx, { slug: 'mcp', name: 'MCP', settings: { client_id_metadata_documents: true } });
      await createTenant(server.ctx, { slug: 'plain', name: 'Plain' });
      await createUser(server.ctx, tenant, { email: 'ada@mcp.example', password: TEST_PASSWORD });
      issuer = `${server.url}/t/mcp`;
    });
    after(async () => {
      await server.stop();
      docs.server.closeAllConnections();
      await new Promise((resolve) => docs.server.close(resolve));
    });

    it('signs in a client known only by its document URL: code + PKCE, client_id claim is the URL', async () => {
      const clientId = `${docs.base}/agent.json`;
      const discovery = await json(await fetch(`${issuer}/.well-known/oauth-authorization-server`));
      assert.equal(discovery.client_id_metadata_document_supported, true);
      const result = await signIn({ issuer, clientId, redirectUri: REDIRECT, scope: 'openid', login: 'ada@mcp.example', password: TEST_PASSWORD });
      assert.ok(result.code, result.callback.href);
      const response = await postForm(`${issuer}/oauth2/token`, { grant_type: 'authorization_code', client_id: clientId, code: result.code!, redirect_uri: REDIRECT, code_verifier: result.pkce.verifier });
      const tokens = await json(response);
      assert.equal(response.status, 200, JSON.stringify(tokens));
      assert.equal(decodeJwt(tokens.access_token as string).client_id, clientId);
      assert.equal(docs.hits.get('/agent.json'), 1, 'max-age=60 kept the document for the token request');
      const registration = await server.ctx.db.selectFrom('client_registrations').selectAll().where('metadata_url', '=', clientId).executeTakeFirstOrThrow();
      assert.equal(registration.kind, 'metadata_document');
      const client = await server.ctx.db.selectFrom('clients').select('name').where('client_id', '=', registration.client_id).executeTakeFirstOrThrow();
      assert.equal(client.name, `Loopback agent (${new URL(docs.base).host})`, 'the consent page names the host the document came from');

      // The same client_id (the URL) revokes its tokens (RFC 7009, client authentication none).
      const revokedAccess = await postForm(`${issuer}/oauth2/revoke`, { client_id: clientId, token: tokens.access_token as string, token_type_hint: 'access_token' });
      assert.equal(revokedAccess.status, 200, await revokedAccess.text());
      assert.equal(typeof tokens.refresh_token, 'string');
      const revoked = await postForm(`${issuer}/oauth2/revoke`, { client_id: clientId, token: tokens.refresh_token as string });
      assert.equal(revoked.status, 200, await revoked.text());
      const refreshed = await postForm(`${issuer}/oauth2/token`, { grant_type: 'refresh_token', client_id: clientId, refresh_token: tokens.refresh_token as string });
      assert.equal((await json(refreshed)).error, 'invalid_grant');
    });

    it('matches the document\'s redirect URIs exactly: another one gets the error page, never a redirect', async () => {
      const url = new URL(`${issuer}/oauth2/authorize`);
      const pkce = createPkce();
      for (const [k, v] of Object.entries({ response_type: 'code', client_id: `${docs.base}/agent.json`, redirect_uri: 'http://127.0.0.1:5999/other', scope: 'openid', code_challenge: pkce.challenge, code_challenge_method: 'S256' })) url.searchParams.set(k, v);
      const response = await fetchWithJar(new CookieJar(), url.href);
      assert.equal(response.status, 400);
      assert.equal(response.headers.get('location'), null);
    });

    it('refetches a no-store document every time', async () => {
      const clientId = `${docs.base}/no-store.json`;
      for (let i = 0; i < 2; i++) await postForm(`${issuer}/oauth2/token`, { grant_type: 'authorization_code', client_id: clientId, code: 'x', redirect_uri: REDIRECT });
      assert.equal(docs.hits.get('/no-store.json'), 2);
    });

    it('refuses bad documents, addresses and servers with invalid_client, in bounded time, registering nothing', async () => {
      const before = await clientCount();
      const cases: Array<[string, string, RegExp]> = [
        ['client_id differs from the URL', `${docs.base}/mismatch.json`, /client_id/],
        ['huge document', `${docs.base}/huge.json`, /larger/],
        ['huge chunked document', `${docs.base}/chunked-huge.json`, /larger/],
        ['slow document', `${docs.base}/slow.json`, /within/],
        ['not JSON content type', `${docs.base}/html`, /application\/json/],
        ['404', `${docs.base}/missing.json`, /404/],
        ['redirect loop', `${docs.base}/loop.json`, /redirects/],
        ['redirect to a private address', `${docs.base}/to-private.json`, /private/],
        ['http redirect URI off loopback', `${docs.base}/http-redirect.json`, /http/],
        ['a document with a secret', `${docs.base}/secret.json`, /secret/],
        ['a private address', 'https://10.1.2.3/agent.json', /private/],
        ['link-local metadata service', 'https://169.254.169.254/latest/meta-data/agent.json', /private/],
        ['no path', 'https://agent.example.com/', /path/],
      ];
      for (const [name, clientId, reason] of cases) {
        const started = Date.now();
        const response = await postForm(`${issuer}/oauth2/token`, { grant_type: 'authorization_code', client_id: clientId, code: 'x', redirect_uri: REDIRECT });
        const body = await json(response);
        assert.equal(response.status, 401, `${name}: ${JSON.stringify(body)}`);
        assert.equal(body.error, 'invalid_client', name);
        assert.match(String(body.error_description), reason, name);
        assert.ok(Date.now() - started < 8000, `${name} took ${Date.now() - started} ms`);
      }
      const disabled = await postForm(`${server.url}/t/plain/oauth2/token`, { grant_type: 'authorization_code', client_id: `${docs.base}/agent.json`, code: 'x', redirect_uri: REDIRECT });
      assert.equal((await json(disabled)).error, 'invalid_client');
      assert.equal(await clientCount(), before);
    });
  });
}
