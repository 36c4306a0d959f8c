/**
 * Seed 001's `/v1/auth/token` on a tenant that has not enabled the password grant (the default): the dialect
 * answers 403 SW_AUTH_PASSWORD_GRANT_DISABLED rather than a credentials error.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTenantWithClient, issuerOf, startTestServer } from '../../server/test/support/server.ts';
import type { TestServer } from '../../server/test/support/server.ts';
import { createUser } from '../../server/src/directory/users.ts';
import { chatAuthRoutes, createIdpClient, createVerifier } from '../src/index.ts';
import type { WebHandler } from '../src/index.ts';

describe('seed 001 password grant when the tenant has it off', () => {
  let server: TestServer;
  let routes: WebHandler;

  before(async () => {
    server = await startTestServer('sqlite');
    const acme = await createTenantWithClient(server, 'acme', { grantTypes: ['password', 'client_credentials'] });
    await createUser(server.ctx, acme.tenant, { email: 'ada@acme.test', password: 'a long enough password 1' });
    const verifier = createVerifier({ issuer: issuerOf(server, 'acme'), audience: acme.clientId });
    const idp = createIdpClient(verifier.discovery, { clientId: acme.clientId, clientSecret: acme.clientSecret });
    routes = chatAuthRoutes({ idp, verifier, redirectUri: 'http://chat.test/v1/auth/login', register: async () => ({ participant_id: 'p', display_name: 'd', personal_workspace_id: 'w' }) });
  });
  after(() => server.stop());

  it('answers 403 SW_AUTH_PASSWORD_GRANT_DISABLED', async () => {
    const response = await routes(
      new Request('http://chat.test/v1/auth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'password', username: 'ada@acme.test', password: 'a long enough password 1' }).toString(),
      }),
    );
    assert.equal(response?.status, 403);
    assert.equal(((await response?.json()) as { error: { code: string } }).error.code, 'SW_AUTH_PASSWORD_GRANT_DISABLED');
  });

  it('answers 405 with Allow for a known path and another method, and nothing for other paths', async () => {
    const wrongMethod = await routes(new Request('http://chat.test/v1/auth/refresh'));
    assert.equal(wrongMethod?.status, 405);
    assert.equal(wrongMethod?.headers.get('allow'), 'POST');
    assert.equal(await routes(new Request('http://chat.test/v1/other')), undefined);
  });
});
