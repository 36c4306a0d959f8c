/**
 * The end-to-end agent flow of issue 20, as an MCP client does it, with no client configured by hand: the API's
 * 401 names its metadata, which names the authorization server, whose metadata offers registration; the agent
 * registers (once dynamically, once with a client ID metadata document served on loopback), runs code + PKCE
 * with `resource`, and calls the API. A token for another resource is refused by it (401, wrong audience), and
 * an API key is accepted through the kit's exchange mode. On SQLite and PostgreSQL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nodeListener } from '@latchkey/relying-party';
import { DIALECTS } from '../../../packages/server/test/support/databases.ts';
import { freePort, startTestServer } from '../../../packages/server/test/support/server.ts';
import type { TestServer } from '../../../packages/server/test/support/server.ts';
import { followAuthorization } from '../../../packages/server/test/support/sign-in.ts';
import { TEST_PASSWORD } from '../../../packages/server/test/support/sign-in-fixture.ts';
import { createTenant } from '../../../packages/server/src/directory/tenants.ts';
import { createUser } from '../../../packages/server/src/directory/users.ts';
import { createClient } from '../../../packages/server/src/directory/clients.ts';
import { createApiKey } from '../../../packages/server/src/directory/api-keys.ts';
import { assignRoleToUser, createRole } from '../../../packages/server/src/directory/roles.ts';
import { createApiResource } from '../../../packages/server/src/resources/api-resources.ts';
import { authorizationRequest, clientMetadataDocument, discover, redeemCallback, registerDynamically } from '../src/agent-client.ts';
import type { Discovered } from '../src/agent-client.ts';
import { NOTES_SCOPES, notesApi } from '../src/notes-api.ts';

const REDIRECT = 'http://127.0.0.1:47011/callback';
const FILES_API = 'https://files.example.com/';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

for (const dialect of DIALECTS) {
  describe(`agent flow end to end (${dialect})`, () => {
    let latchkey: TestServer;
    let api: Server;
    let documents: Server;
    let apiUrl: string;
    let documentUrl: string;
    let apiKey: string;
    let machine: { id: string; secret: string };

    before(async () => {
      latchkey = await startTestServer(dialect, { LATCHKEY_TEST_CLIENT_METADATA_LOOPBACK: 'true' });
      const ctx = latchkey.ctx;
      const tenant = await createTenant(ctx, { slug: 'acme', name: 'Acme', settings: { client_registration: { enabled: true, open: true }, client_id_metadata_documents: true } });
      const user = await createUser(ctx, tenant, { email: 'ada@acme.example', password: TEST_PASSWORD });
      const role = await createRole(ctx.db, tenant.id, { name: 'note-taker', permissions: ['notes.read'] }, ctx.now());
      await assignRoleToUser(ctx.db, tenant.id, user.id, role.id, ctx.now());
      apiKey = (await createApiKey(ctx.db, tenant, { ownerUserId: user.id }, ctx.now())).key;
      const gateway = await createClient(ctx, tenant, { name: 'notes API', grantTypes: ['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange'], scopes: [] });
      machine = { id: gateway.client.clientId, secret: gateway.clientSecret! };

      // The API: the one thing an operator sets up, once (its identifier and scopes as an API resource).
      const port = await freePort();
      apiUrl = `http://127.0.0.1:${port}/mcp`;
      await createApiResource(ctx.db, tenant, { identifier: apiUrl, name: 'Notes API', scopes: NOTES_SCOPES, allClients: true }, ctx.now());
      await createApiResource(ctx.db, tenant, { identifier: FILES_API, scopes: ['files.read'], allClients: true }, ctx.now());
      api = createServer(nodeListener(notesApi({ issuer: `${latchkey.url}/t/acme`, resource: apiUrl, apiKeys: { clientId: machine.id, clientSecret: machine.secret } })));
      await new Promise<void>((resolve) => api.listen(port, '127.0.0.1', resolve));

      // The agent's own client ID metadata document, on loopback (LATCHKEY_TEST_CLIENT_METADATA_LOOPBACK).
      documents = createServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' }).end(JSON.stringify(clientMetadataDocument(documentUrl, REDIRECT, 'Document agent')));
      });
      documentUrl = `${await listen(documents)}/agent/client.json`;
    });
    after(async () => {
      await close(api);
      await close(documents);
      await latchkey.stop();
    });

    async function signInAndCall(discovered: Discovered, clientId: string): Promise<{ status: number; body: Record<string, unknown>; token: string }> {
      const request = authorizationRequest(discovered, clientId, REDIRECT);
      const { callback } = await followAuthorization(request.url, { issuer: discovered.server.issuer, redirectUri: REDIRECT, login: 'ada@acme.example', password: TEST_PASSWORD });
      const tokens = await redeemCallback(discovered, clientId, REDIRECT, request, callback);
      const response = await fetch(apiUrl, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      return { status: response.status, body: (await response.json()) as Record<string, unknown>, token: tokens.access_token };
    }

    it('discovers the authorization server from the API\'s 401 alone', async () => {
      const discovered = await discover(apiUrl);
      assert.equal(discovered.resource.resource, apiUrl);
      assert.equal(discovered.server.issuer, `${latchkey.url}/t/acme`);
      assert.equal(discovered.server.registration_endpoint, `${latchkey.url}/t/acme/oauth2/register`);
      assert.equal(discovered.server.client_id_metadata_document_supported, true);
      assert.deepEqual(discovered.server.code_challenge_methods_supported, ['S256']);
    });

    it('registers dynamically, signs in with code + PKCE + resource, and calls the API', async () => {
      const discovered = await discover(apiUrl);
      const clientId = await registerDynamically(discovered.server, REDIRECT, 'DCR agent');
      const result = await signInAndCall(discovered, clientId);
      assert.equal(result.status, 200, JSON.stringify(result.body));
      assert.equal(result.body.kind, 'user');
      const claims = JSON.parse(Buffer.from(result.token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      assert.equal(claims.aud, apiUrl);
      assert.equal(claims.scope, NOTES_SCOPES.join(' '));
    });

    it('uses a client ID metadata document as client_id, and calls the API', async () => {
      const discovered = await discover(apiUrl);
      const result = await signInAndCall(discovered, documentUrl);
      assert.equal(result.status, 200, JSON.stringify(result.body));
      const claims = JSON.parse(Buffer.from(result.token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      assert.equal(claims.client_id, documentUrl);
    });

    it('refuses a token for another resource: 401, wrong audience', async () => {
      const response = await fetch(`${latchkey.url}/t/acme/oauth2/token`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: machine.id, client_secret: machine.secret, resource: FILES_API }),
      });
      const token = ((await response.json()) as { access_token: string }).access_token;
      const refused = await fetch(apiUrl, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(refused.status, 401);
      const challenge = refused.headers.get('www-authenticate') ?? '';
      assert.match(challenge, /error="invalid_token"/);
      assert.match(challenge, /aud/);
      assert.match(challenge, /resource_metadata=/);
    });

    it('accepts an API key through the kit\'s exchange mode', async () => {
      const response = await fetch(apiUrl, { headers: { authorization: `Bearer ${apiKey}` } });
      const body = (await response.json()) as Record<string, unknown>;
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.equal(body.kind, 'api_key');
    });
  });
}
