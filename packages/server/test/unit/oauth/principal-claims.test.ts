/** Access-token and userinfo claims follow the client's token_claims; with roles comes the primary role (seed 003). */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../../support/server.ts';
import type { TestServer } from '../../support/server.ts';
import { createTenant } from '../../../src/directory/tenants.ts';
import { createClient } from '../../../src/directory/clients.ts';
import { createUser } from '../../../src/directory/users.ts';
import { principalClaims } from '../../../src/oauth/principal-claims.ts';

describe('principal claims', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer('sqlite');
  });
  after(() => server.stop());

  it('release the primary role with roles, and nothing the client did not ask for', async () => {
    const tenant = await createTenant(server.ctx, { slug: 'acme' });
    const withRoles = (await createClient(server.ctx, tenant, { name: 'app', tokenClaims: ['roles', 'tenant_slug'] })).client;
    const plain = (await createClient(server.ctx, tenant, { name: 'plain', tokenClaims: [] })).client;
    const ada = await createUser(server.ctx, tenant, { email: 'ada@example.com', role: 'developer' });
    const claims = await principalClaims(server.ctx, tenant, withRoles, ada);
    assert.deepEqual(claims, { email: 'ada@example.com', roles: [], role: 'developer', tenant_slug: 'acme' });
    assert.deepEqual(await principalClaims(server.ctx, tenant, plain, ada), { email: 'ada@example.com' });
  });
});
