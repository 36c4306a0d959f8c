/**
 * RFC 8693 token exchange (issue 20, item 5): an API key becomes a short-lived JWT for one resource carrying
 * exactly the key's effective permissions, read afresh at every exchange (revocation, role loss); an access token
 * becomes a token for another resource with `act` (delegation) or, only where the client's policy allows it,
 * without (impersonation). Bad subject tokens are clear 4xx answers and issue nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { adminCaller } from '../support/admin.ts';
import type { AdminCaller } from '../support/admin.ts';
import { json, postForm } from '../support/http.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { createClient } from '../../src/directory/clients.ts';
import { createUser } from '../../src/directory/users.ts';
import type { User } from '../../src/directory/users.ts';
import { assignRoleToUser, createRole, unassignRoleFromUser } from '../../src/directory/roles.ts';
import { createApiKey, revokeApiKey } from '../../src/directory/api-keys.ts';
import { issueAccessToken } from '../../src/tokens/access-token.ts';
import { createApiResource } from '../../src/resources/api-resources.ts';
import { exchangeAuditFor } from '../../src/resources/token-exchange/exchange-audit.ts';
import type { Tenant } from '../../src/db/queries/tenants.ts';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const API_KEY_TYPE = 'urn:latchkey:params:oauth:token-type:api-key';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const MAIL_API = 'https://mail.example.com/api';
const FILES_API = 'https://files.example.com/';

for (const dialect of DIALECTS) {
  describe(`token exchange (${dialect})`, () => {
    let server: TestServer;
    let tenant: Tenant;
    let other: Tenant;
    let admin: AdminCaller;
    let exchanger: { id: string; secret: string };
    let user: User;
    let roleId: string;
    let key: string;

    const exchange = (fields: Record<string, string>, client = exchanger) =>
      postForm(`${server.url}/t/acme/oauth2/token`, { grant_type: EXCHANGE, client_id: client.id, client_secret: client.secret, ...fields });
    // Exchange audit events are written in batches: flush the buffer, then count.
    const exchangeCount = async () => {
      await exchangeAuditFor(server.ctx).flush();
      return (await server.ctx.db.selectFrom('audit_events').select('id').where('action', '=', 'token.exchange').execute()).length;
    };

    before(async () => {
      server = await startTestServer(dialect);
      const ctx = server.ctx;
      tenant = await createTenant(ctx, { slug: 'acme', name: 'Acme' });
      other = await createTenant(ctx, { slug: 'globex', name: 'Globex' });
      admin = await adminCaller(server, tenant, 'tenant_admin');
      const created = await createClient(ctx, tenant, { name: 'mail gateway', grantTypes: ['client_credentials', EXCHANGE], scopes: ['openid'] });
      exchanger = { id: created.client.clientId, secret: created.clientSecret! };
      await createApiResource(ctx.db, tenant, { identifier: MAIL_API, scopes: ['mail.read', 'mail.send', 'mail.admin'], allClients: true }, ctx.now());
      await createApiResource(ctx.db, tenant, { identifier: FILES_API, scopes: ['files.read'], allClients: true }, ctx.now());
      user = await createUser(ctx, tenant, { email: 'ada@acme.example', username: 'ada' });
      const role = await createRole(ctx.db, tenant.id, { name: 'mailer', permissions: ['mail.read', 'mail.send', 'files.read'] }, ctx.now());
      roleId = role.id;
      await assignRoleToUser(ctx.db, tenant.id, user.id, roleId, ctx.now());
      key = (await createApiKey(ctx.db, tenant, { ownerUserId: user.id, mode: 'live' }, ctx.now())).key;
    });
    after(() => server.stop());

    it('turns an API key into a short-lived JWT for one resource with exactly the key\'s effective permissions, audited', async () => {
      const before = await exchangeCount();
      const response = await exchange({ subject_token: key, subject_token_type: API_KEY_TYPE, resource: MAIL_API });
      const body = await json(response);
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.equal(body.issued_token_type, ACCESS_TOKEN_TYPE);
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, 900);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const claims = decodeJwt(body.access_token as string);
      assert.equal(claims.aud, MAIL_API);
      assert.equal(claims.sub, user.id);
      assert.deepEqual(claims.permissions, ['files.read', 'mail.read', 'mail.send']);
      assert.equal(claims.scope, 'mail.read mail.send');
      assert.equal(claims.act, undefined);
      assert.equal(await exchangeCount(), before + 1);
    });

    it('a key limited to a subset gets that subset; asking for more scope than it holds is invalid_scope', async () => {
      const limited = (await createApiKey(server.ctx.db, tenant, { ownerUserId: user.id, permissions: ['mail.read'] }, server.ctx.now())).key;
      const body = await json(await exchange({ subject_token: limited, subject_token_type: API_KEY_TYPE, resource: MAIL_API }));
      assert.deepEqual(decodeJwt(body.access_token as string).permissions, ['mail.read']);
      assert.equal(body.scope, 'mail.read');
      const wider = await exchange({ subject_token: limited, subject_token_type: API_KEY_TYPE, resource: MAIL_API, scope: 'mail.send' });
      assert.equal((await json(wider)).error, 'invalid_scope');
    });

    it('reflects role loss and key revocation at the very next exchange', async () => {
      await unassignRoleFromUser(server.ctx.db, tenant.id, user.id, roleId);
      const afterLoss = await json(await exchange({ subject_token: key, subject_token_type: API_KEY_TYPE, resource: MAIL_API }));
      assert.deepEqual(decodeJwt(afterLoss.access_token as string).permissions, []);
      assert.equal(afterLoss.scope, '');
      await assignRoleToUser(server.ctx.db, tenant.id, user.id, roleId, server.ctx.now());
      const revocable = await createApiKey(server.ctx.db, tenant, { ownerUserId: user.id }, server.ctx.now());
      assert.equal((await exchange({ subject_token: revocable.key, subject_token_type: API_KEY_TYPE, resource: MAIL_API })).status, 200);
      await revokeApiKey(server.ctx.db, tenant.id, revocable.row.id, server.ctx.now());
      const before = await exchangeCount();
      const refused = await exchange({ subject_token: revocable.key, subject_token_type: API_KEY_TYPE, resource: MAIL_API });
      const error = await json(refused);
      assert.equal(refused.status, 400);
      assert.equal(error.error, 'invalid_request');
      assert.match(String(error.error_description), /revoked/);
      assert.equal(await exchangeCount(), before);
    });

    it('exchanges an access token with an actor token (delegation, act claim); impersonation only when the policy allows it', async () => {
      const mailClient = await createClient(server.ctx, tenant, { name: 'mail web', type: 'public', redirectUris: ['http://127.0.0.1/cb'] });
      const { token: userToken } = await issueAccessToken(server.ctx, { tenant, client: mailClient.client, subject: user.id, scope: ['mail.read'], resource: { identifier: MAIL_API, tokenLifetime: null, signingAlg: null } });
      const impersonate = await exchange({ subject_token: userToken, subject_token_type: ACCESS_TOKEN_TYPE, resource: FILES_API });
      assert.equal(impersonate.status, 400);
      assert.equal((await json(impersonate)).error, 'unauthorized_client');

      const actor = await json(await postForm(`${server.url}/t/acme/oauth2/token`, { grant_type: 'client_credentials', client_id: exchanger.id, client_secret: exchanger.secret }));
      const delegated = await exchange({ subject_token: userToken, subject_token_type: ACCESS_TOKEN_TYPE, resource: FILES_API, actor_token: actor.access_token as string, actor_token_type: ACCESS_TOKEN_TYPE });
      const body = await json(delegated);
      assert.equal(delegated.status, 200, JSON.stringify(body));
      const claims = decodeJwt(body.access_token as string);
      assert.equal(claims.aud, FILES_API);
      assert.equal(claims.sub, user.id);
      assert.equal(claims.scope, 'files.read');
      assert.deepEqual(claims.act, { sub: decodeJwt(actor.access_token as string).sub, client_id: exchanger.id });

      const allowed = await admin.call('PUT', `/tenants/acme/clients/${exchanger.id}/token-exchange-policy`, { impersonation: true });
      assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
      const impersonated = await json(await exchange({ subject_token: userToken, subject_token_type: ACCESS_TOKEN_TYPE, resource: FILES_API }));
      assert.equal(decodeJwt(impersonated.access_token as string).act, undefined);
      await admin.call('PUT', `/tenants/acme/clients/${exchanger.id}/token-exchange-policy`, { impersonation: false });
    });

    it('refuses bad subject tokens and requests with a clear 4xx, issuing nothing', async () => {
      const ctx = server.ctx;
      const expiredKey = await createApiKey(ctx.db, tenant, { ownerUserId: user.id, expiresAt: ctx.now() + 1 }, ctx.now());
      await ctx.db.updateTable('api_keys').set({ expires_at: ctx.now() - 1000 }).where('id', '=', expiredKey.row.id).execute();
      const foreignOwner = await createUser(ctx, other, { email: 'bob@globex.example' });
      const foreignKey = (await createApiKey(ctx.db, other, { ownerUserId: foreignOwner.id }, ctx.now())).key;
      const foreignClient = await createClient(ctx, other, { name: 'x', type: 'public', redirectUris: ['http://127.0.0.1/cb'] });
      const foreignToken = (await issueAccessToken(ctx, { tenant: other, client: foreignClient.client, subject: foreignOwner.id, scope: [] })).token;
      const webClient = await createClient(ctx, tenant, { name: 'web', type: 'public', redirectUris: ['http://127.0.0.1/cb'] });
      // Issued an hour ago with a minute to live: long expired, no waiting.
      const anHourAgo = { ...ctx, now: () => Date.now() - 3600_000 };
      const expiredToken = (await issueAccessToken(anHourAgo, { tenant, client: webClient.client, subject: user.id, scope: [], maxLifetime: 60 })).token;
      const before = await exchangeCount();
      const cases: Array<[string, Record<string, string>, number, string]> = [
        ['expired API key', { subject_token: expiredKey.key, subject_token_type: API_KEY_TYPE, resource: MAIL_API }, 400, 'invalid_request'],
        ['API key of another tenant', { subject_token: foreignKey, subject_token_type: API_KEY_TYPE, resource: MAIL_API }, 400, 'invalid_request'],
        ['garbage API key', { subject_token: 'sg_live_nope', subject_token_type: API_KEY_TYPE, resource: MAIL_API }, 400, 'invalid_request'],
        ['access token of another tenant', { subject_token: foreignToken, subject_token_type: ACCESS_TOKEN_TYPE, resource: MAIL_API, actor_token: foreignToken, actor_token_type: ACCESS_TOKEN_TYPE }, 400, 'invalid_request'],
        ['expired access token', { subject_token: expiredToken, subject_token_type: ACCESS_TOKEN_TYPE, resource: MAIL_API }, 400, 'invalid_request'],
        ['unsupported subject token type', { subject_token: key, subject_token_type: 'urn:ietf:params:oauth:token-type:saml2', resource: MAIL_API }, 400, 'unsupported_token_type'],
        ['no resource', { subject_token: key, subject_token_type: API_KEY_TYPE }, 400, 'invalid_request'],
        ['unknown resource', { subject_token: key, subject_token_type: API_KEY_TYPE, resource: 'https://nowhere.example/' }, 400, 'invalid_target'],
        ['refresh token requested', { subject_token: key, subject_token_type: API_KEY_TYPE, resource: MAIL_API, requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }, 400, 'invalid_request'],
        ['missing subject_token', { subject_token_type: API_KEY_TYPE, resource: MAIL_API }, 400, 'invalid_request'],
      ];
      for (const [name, fields, status, error] of cases) {
        const response = await exchange(fields);
        const body = await json(response);
        assert.equal(response.status, status, `${name}: ${JSON.stringify(body)}`);
        assert.equal(body.error, error, name);
        assert.equal(body.access_token, undefined, name);
      }
      const notAllowed = await createClient(ctx, tenant, { name: 'plain', scopes: ['openid'] });
      const unauthorized = await exchange({ subject_token: key, subject_token_type: API_KEY_TYPE, resource: MAIL_API }, { id: notAllowed.client.clientId, secret: notAllowed.clientSecret! });
      assert.equal((await json(unauthorized)).error, 'unauthorized_client');
      assert.equal(await exchangeCount(), before);
    });
  });
}
