/**
 * The kit's resource mode (issue 20, item 6): RFC 9728 metadata at the well-known URI built from the resource
 * identifier, `resource_metadata` in every 401 challenge, `aud` checked against the resource (a token for another
 * resource is 401), and API keys accepted by exchanging them (RFC 8693) with the result cached until shortly
 * before it expires.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTenantWithClient, issuerOf, startTestServer } from '../../server/test/support/server.ts';
import type { TenantWithClient, TestServer } from '../../server/test/support/server.ts';
import { createUser } from '../../server/src/directory/users.ts';
import { createApiKey } from '../../server/src/directory/api-keys.ts';
import { assignRoleToUser, createRole, unassignRoleFromUser } from '../../server/src/directory/roles.ts';
import { createApiResource } from '../../server/src/resources/api-resources.ts';
import { createVerifier, protect, protectedResourceMetadataUrl, protectedResourceRoute, requirePermission, routeTable } from '../src/index.ts';
import type { Verifier } from '../src/index.ts';

const MAIL_API = 'https://mail.example.com/api';

describe('relying-party kit: protected resource mode', () => {
  let server: TestServer;
  let acme: TenantWithClient;
  let verifier: Verifier;
  let key: string;
  let userId: string;
  let roleId: string;
  let exchanges = 0;
  let clock = Date.now();

  before(async () => {
    server = await startTestServer('sqlite');
    acme = await createTenantWithClient(server, 'acme', { grantTypes: ['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange'] });
    await createApiResource(server.ctx.db, acme.tenant, { identifier: MAIL_API, scopes: ['mail.send', 'mail.read'], allClients: true }, Date.now());
    await createApiResource(server.ctx.db, acme.tenant, { identifier: 'https://files.example.com/', scopes: ['files.read'], allClients: true }, Date.now());
    const user = await createUser(server.ctx, acme.tenant, { email: 'ada@acme.test' });
    userId = user.id;
    roleId = (await createRole(server.ctx.db, acme.tenant.id, { name: 'sender', permissions: ['mail.send'] }, Date.now())).id;
    await assignRoleToUser(server.ctx.db, acme.tenant.id, user.id, roleId, Date.now());
    key = (await createApiKey(server.ctx.db, acme.tenant, { ownerUserId: user.id }, Date.now())).key;
    verifier = createVerifier({
      issuer: issuerOf(server, 'acme'),
      resource: MAIL_API,
      apiKeys: { clientId: acme.clientId, clientSecret: acme.clientSecret, exchange: true },
      now: () => clock,
      fetch: (input, init) => {
        if (String(input).endsWith('/oauth2/token')) exchanges += 1;
        return fetch(input, init);
      },
    });
  });
  after(() => server.stop());

  it('serves RFC 9728 metadata at the well-known URI of the resource identifier', async () => {
    assert.equal(protectedResourceMetadataUrl(MAIL_API), 'https://mail.example.com/.well-known/oauth-protected-resource/api');
    assert.equal(protectedResourceMetadataUrl('https://files.example.com/'), 'https://files.example.com/.well-known/oauth-protected-resource');
    const routes = routeTable([protectedResourceRoute(verifier, { scopesSupported: ['mail.send', 'mail.read'], resourceName: 'Mail API' })]);
    const response = await routes(new Request('https://mail.example.com/.well-known/oauth-protected-resource/api'));
    assert.equal(response?.status, 200);
    assert.deepEqual(await response!.json(), {
      resource: MAIL_API, authorization_servers: [issuerOf(server, 'acme')], bearer_methods_supported: ['header'], scopes_supported: ['mail.send', 'mail.read'], resource_name: 'Mail API',
    });
  });

  it('answers 401 with resource_metadata, and refuses a token for another resource (wrong audience)', async () => {
    const handler = protect(verifier, [], () => Response.json({ ok: true }));
    const missing = await handler(new Request('https://mail.example.com/api/messages'));
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get('www-authenticate'), `Bearer resource_metadata="${protectedResourceMetadataUrl(MAIL_API)}"`);
    const files = await fetch(`${issuerOf(server, 'acme')}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: acme.clientId, client_secret: acme.clientSecret, resource: 'https://files.example.com/' }) });
    const token = ((await files.json()) as { access_token: string }).access_token;
    const wrong = await handler(new Request('https://mail.example.com/api/messages', { headers: { authorization: `Bearer ${token}` } }));
    assert.equal(wrong.status, 401);
    const challenge = wrong.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /error="invalid_token"/);
    assert.match(challenge, /aud/);
    assert.match(challenge, /resource_metadata="https:\/\/mail\.example\.com\/\.well-known\/oauth-protected-resource\/api"/);
  });

  it('accepts an API key by exchanging it once, reuses the token until shortly before it expires', async () => {
    exchanges = 0;
    const handler = protect(verifier, [requirePermission('mail.send')], (_request, principal) => Response.json({ sub: principal.sub, kind: principal.kind, permissions: principal.permissions }));
    const call = () => handler(new Request('https://mail.example.com/api/send', { headers: { authorization: `Bearer ${key}` } }));
    const first = await call();
    assert.equal(first.status, 200);
    assert.deepEqual(await first.json(), { sub: userId, kind: 'api_key', permissions: ['mail.send'] });
    assert.equal((await call()).status, 200);
    assert.equal(exchanges, 1, 'the exchanged token is cached');
    clock += 860_000; // the token lives 900 s: still cached 40 s before its end
    assert.equal((await call()).status, 200);
    assert.equal(exchanges, 1);
    await unassignRoleFromUser(server.ctx.db, acme.tenant.id, userId, roleId);
    clock += 20_000; // inside the last 30 s: exchanged again, and the lost role shows
    assert.equal((await call()).status, 403);
    assert.equal(exchanges, 2);
  });

  it('refuses an unknown key with 401 (the IdP refused the exchange)', async () => {
    const handler = protect(verifier, [], () => Response.json({}));
    const response = await handler(new Request('https://mail.example.com/api/send', { headers: { authorization: 'Bearer sg_live_thisisnotarealkey0000000000' } }));
    assert.equal(response.status, 401);
  });
});
