/**
 * The token source with an API key (issue 20, item 6): it exchanges the key (RFC 8693) for a token for one
 * resource, shares it between callers, and exchanges again before the token expires; a revoked key is a
 * TokenRequestError that is not retried.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { createTenantWithClient, issuerOf, startTestServer } from '../../server/test/support/server.ts';
import type { TenantWithClient, TestServer } from '../../server/test/support/server.ts';
import { createUser } from '../../server/src/directory/users.ts';
import { createApiKey, revokeApiKey } from '../../server/src/directory/api-keys.ts';
import { assignRoleToUser, createRole } from '../../server/src/directory/roles.ts';
import { createApiResource } from '../../server/src/resources/api-resources.ts';
import { createTokenSource, TokenRequestError } from '../src/index.ts';

const MAIL_API = 'https://mail.example.com/api';

describe('token source exchanging an API key', () => {
  let server: TestServer;
  let acme: TenantWithClient;
  let key: { id: string; value: string };
  let requests = 0;
  const counting: typeof fetch = (input, init) => {
    if (String(input).endsWith('/oauth2/token')) requests += 1;
    return fetch(input, init);
  };

  before(async () => {
    server = await startTestServer('sqlite');
    acme = await createTenantWithClient(server, 'acme', { grantTypes: ['urn:ietf:params:oauth:grant-type:token-exchange'] });
    await createApiResource(server.ctx.db, acme.tenant, { identifier: MAIL_API, scopes: ['mail.send'], allClients: true }, Date.now());
    const user = await createUser(server.ctx, acme.tenant, { email: 'ada@acme.test' });
    const role = await createRole(server.ctx.db, acme.tenant.id, { name: 'sender', permissions: ['mail.send'] }, Date.now());
    await assignRoleToUser(server.ctx.db, acme.tenant.id, user.id, role.id, Date.now());
    const created = await createApiKey(server.ctx.db, acme.tenant, { ownerUserId: user.id }, Date.now());
    key = { id: created.row.id, value: created.key };
  });
  after(() => server.stop());

  it('exchanges the key once for many callers, and again before the token expires', async () => {
    requests = 0;
    let clock = Date.now();
    const source = createTokenSource({ issuer: issuerOf(server, 'acme'), clientId: acme.clientId, clientSecret: acme.clientSecret, apiKey: key.value, resource: MAIL_API, fetch: counting, now: () => clock });
    const tokens = await Promise.all(Array.from({ length: 20 }, () => source.getToken()));
    assert.equal(new Set(tokens).size, 1);
    assert.equal(requests, 1);
    const claims = decodeJwt(tokens[0]!);
    assert.equal(claims.aud, MAIL_API);
    assert.deepEqual(claims.permissions, ['mail.send']);
    clock += 830_000; // 900 s token, renewed 60 s early: not yet
    assert.equal(await source.getToken(), tokens[0]);
    clock += 20_000;
    assert.notEqual(await source.getToken(), tokens[0]);
    assert.equal(requests, 2);
  });

  it('a revoked key is refused without retries', async () => {
    await revokeApiKey(server.ctx.db, acme.tenant.id, key.id, Date.now());
    requests = 0;
    const source = createTokenSource({ tokenEndpoint: `${issuerOf(server, 'acme')}/oauth2/token`, clientId: acme.clientId, clientSecret: acme.clientSecret, apiKey: key.value, resource: MAIL_API, fetch: counting });
    await assert.rejects(source.getToken(), (error: unknown) => error instanceof TokenRequestError && error.status === 400 && error.error === 'invalid_request');
    assert.equal(requests, 1);
  });
});
