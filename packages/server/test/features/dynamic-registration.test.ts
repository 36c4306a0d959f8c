/**
 * RFC 7591 dynamic client registration and RFC 7592 management (issue 20, item 3): off by default, open or
 * behind initial access tokens (single-use spent once), the tenant's policy limiting what may be registered,
 * registration access tokens stored hashed, `registration_endpoint` in discovery. Bad metadata is a clear 4xx
 * and registers nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { adminCaller } from '../support/admin.ts';
import { json, postForm } from '../support/http.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { hashSecret } from '../../src/tokens/opaque.ts';

const WEB_APP = { client_name: 'Agent', redirect_uris: ['https://agent.example.com/callback'], grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'client_secret_basic' };
const NATIVE_APP = { client_name: 'CLI agent', redirect_uris: ['http://127.0.0.1:33418/callback'], token_endpoint_auth_method: 'none' };

function register(issuer: string, body: unknown, token?: string, contentType = 'application/json'): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return fetch(`${issuer}/oauth2/register`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

for (const dialect of DIALECTS) {
  describe(`dynamic client registration (${dialect})`, () => {
    let server: TestServer;
    let closed: string;
    let open: string;
    let initialToken: string;
    const clientCount = async () => (await server.ctx.db.selectFrom('clients').select('client_id').execute()).length;

    before(async () => {
      server = await startTestServer(dialect);
      await createTenant(server.ctx, { slug: 'off', name: 'Off' });
      const closedTenant = await createTenant(server.ctx, { slug: 'closed', name: 'Closed', settings: { client_registration: { enabled: true } } });
      await createTenant(server.ctx, { slug: 'open', name: 'Open', settings: { client_registration: { enabled: true, open: true, grant_types: ['authorization_code', 'refresh_token', 'client_credentials'] } } });
      closed = `${server.url}/t/closed`;
      open = `${server.url}/t/open`;
      const admin = await adminCaller(server, closedTenant, 'tenant_admin');
      const created = await admin.call('POST', '/tenants/closed/initial-access-tokens', { name: 'partner onboarding', single_use: true });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      initialToken = created.body.token as string;
    });
    after(() => server.stop());

    it('is off by default: 404, and no registration_endpoint in discovery', async () => {
      const response = await register(`${server.url}/t/off`, WEB_APP);
      assert.equal(response.status, 404);
      const metadata = await json(await fetch(`${server.url}/t/off/.well-known/openid-configuration`));
      assert.equal(metadata.registration_endpoint, undefined);
      const enabled = await json(await fetch(`${closed}/.well-known/oauth-authorization-server`));
      assert.equal(enabled.registration_endpoint, `${closed}/oauth2/register`);
    });

    it('a closed tenant needs its initial access token; a single-use one registers exactly one client', async () => {
      const without = await register(closed, WEB_APP);
      assert.equal(without.status, 401);
      assert.match(without.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.equal((await register(closed, WEB_APP, 'lkiat_wrong')).status, 401);
      const response = await register(closed, WEB_APP, initialToken);
      const body = await json(response);
      assert.equal(response.status, 201, JSON.stringify(body));
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.ok(typeof body.client_id === 'string' && typeof body.client_secret === 'string');
      assert.equal(body.client_secret_expires_at, 0);
      assert.equal(body.registration_client_uri, `${closed}/oauth2/register/${body.client_id}`);
      assert.deepEqual(body.redirect_uris, WEB_APP.redirect_uris);
      const stored = await server.ctx.db.selectFrom('client_registrations').selectAll().where('client_id', '=', body.client_id as string).executeTakeFirstOrThrow();
      assert.equal(stored.registration_token_hash, hashSecret(body.registration_access_token as string), 'only the hash is stored');
      const again = await register(closed, WEB_APP, initialToken);
      assert.equal(again.status, 401, 'a single-use token is spent');
    });

    it('an open tenant registers a native app (no secret) and manages it with the registration access token (RFC 7592)', async () => {
      const response = await register(open, NATIVE_APP);
      const body = await json(response);
      assert.equal(response.status, 201, JSON.stringify(body));
      assert.equal(body.client_secret, undefined);
      assert.equal(body.token_endpoint_auth_method, 'none');
      const uri = body.registration_client_uri as string;
      const auth = { authorization: `Bearer ${body.registration_access_token as string}` };
      const read = await fetch(uri, { headers: auth });
      assert.equal(read.status, 200);
      assert.equal((await json(read)).client_id, body.client_id);
      assert.equal((await fetch(uri, { headers: { authorization: 'Bearer lkrat_wrong' } })).status, 401);
      assert.equal((await fetch(uri)).status, 401);
      const updated = await fetch(uri, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ ...NATIVE_APP, client_id: body.client_id, redirect_uris: ['http://127.0.0.1:40000/cb'] }) });
      const updatedBody = await json(updated);
      assert.equal(updated.status, 200, JSON.stringify(updatedBody));
      assert.deepEqual(updatedBody.redirect_uris, ['http://127.0.0.1:40000/cb']);
      const toSecret = await fetch(uri, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ ...WEB_APP, client_id: body.client_id }) });
      assert.equal((await json(toSecret)).error, 'invalid_client_metadata');
      assert.equal((await fetch(uri, { method: 'DELETE', headers: auth })).status, 204);
      assert.equal((await fetch(uri, { headers: auth })).status, 401);
      const afterDelete = await server.ctx.db.selectFrom('clients').select('client_id').where('client_id', '=', body.client_id as string).executeTakeFirst();
      assert.equal(afterDelete, undefined);
    });

    it('a registered confidential client gets client_credentials tokens at once', async () => {
      const body = await json(await register(open, { client_name: 'worker', grant_types: ['client_credentials'], response_types: [], scope: 'openid' }));
      const token = await postForm(`${open}/oauth2/token`, { grant_type: 'client_credentials', client_id: body.client_id as string, client_secret: body.client_secret as string });
      assert.equal(token.status, 200);
    });

    it('refuses bad metadata with RFC 7591 errors, registering nothing', async () => {
      const cases: Array<[string, unknown, number, string, string?]> = [
        ['relative redirect URI', { ...NATIVE_APP, redirect_uris: ['/callback'] }, 400, 'invalid_redirect_uri'],
        ['redirect URI with a fragment', { ...WEB_APP, redirect_uris: ['https://agent.example.com/cb#x'] }, 400, 'invalid_redirect_uri'],
        ['http redirect URI for a web client', { ...WEB_APP, redirect_uris: ['http://agent.example.com/callback'] }, 400, 'invalid_redirect_uri'],
        ['http redirect URI off loopback for a native app', { ...NATIVE_APP, redirect_uris: ['http://agent.example.com/callback'] }, 400, 'invalid_redirect_uri'],
        ['javascript redirect URI', { ...NATIVE_APP, redirect_uris: ['javascript:alert(1)'] }, 400, 'invalid_redirect_uri'],
        ['no redirect URI for the code flow', { client_name: 'x', token_endpoint_auth_method: 'none' }, 400, 'invalid_redirect_uri'],
        ['unknown grant type', { ...WEB_APP, grant_types: ['urn:example:magic'] }, 400, 'invalid_client_metadata'],
        ['grant type outside the policy', { ...WEB_APP, grant_types: ['password'] }, 400, 'invalid_client_metadata'],
        ['implicit response type', { ...WEB_APP, response_types: ['token'] }, 400, 'invalid_client_metadata'],
        ['client_credentials without a secret', { ...NATIVE_APP, grant_types: ['client_credentials'], response_types: [] }, 400, 'invalid_client_metadata'],
        ['unknown auth method', { ...WEB_APP, token_endpoint_auth_method: 'private_key_jwt' }, 400, 'invalid_client_metadata'],
        ['the admin scope', { ...WEB_APP, scope: 'openid latchkey:admin' }, 400, 'invalid_client_metadata'],
        ['redirect_uris not a list', { ...WEB_APP, redirect_uris: 'https://agent.example.com/cb' }, 400, 'invalid_client_metadata'],
        ['logo_uri over http', { ...WEB_APP, logo_uri: 'http://agent.example.com/logo.png' }, 400, 'invalid_client_metadata'],
        ['a JSON array', [WEB_APP], 400, 'invalid_client_metadata'],
        ['not JSON', '{"client_name":', 400, 'invalid_client_metadata'],
        ['an oversized document', { ...WEB_APP, client_name: 'x', contacts: Array.from({ length: 40 }, (_, i) => `${'a'.repeat(600)}${i}@example.com`) }, 413, 'invalid_request'],
        ['form encoding', 'client_name=x', 415, 'invalid_request', 'application/x-www-form-urlencoded'],
      ];
      const before = await clientCount();
      for (const [name, body, status, error, contentType] of cases) {
        const started = Date.now();
        const response = await register(open, body, undefined, contentType);
        const answer = await json(response);
        assert.equal(response.status, status, `${name}: ${JSON.stringify(answer)}`);
        assert.equal(answer.error, error, name);
        assert.ok(Date.now() - started < 5000, `${name} answered in bounded time`);
      }
      assert.equal(await clientCount(), before);
    });
  });
}
