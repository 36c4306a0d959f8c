/**
 * The verifier's own API-key and discovery rules against a real Latchkey (issue 22: mutants that survived the
 * suite): `liveOnly` refuses a test key before asking the IdP; a cached positive answer does not outlive the
 * key's `exp`; and discovery that names another issuer than the one configured (a mix-up) is refused.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTenantWithClient, issuerOf, startTestServer } from '../../server/test/support/server.ts';
import type { TenantWithClient, TestServer } from '../../server/test/support/server.ts';
import { postForm } from '../../server/test/support/http.ts';
import { createUser } from '../../server/src/directory/users.ts';
import { createApiKey } from '../../server/src/directory/api-keys.ts';
import { createVerifier } from '../src/index.ts';

describe('API-key and discovery rules of the verifier, against Latchkey', () => {
  let server: TestServer;
  let acme: TenantWithClient;
  let ownerId: string;
  let introspections = 0;
  const counting: typeof fetch = (input, init) => {
    if (String(input).includes('introspect')) introspections += 1;
    return fetch(input, init);
  };

  before(async () => {
    server = await startTestServer('sqlite');
    acme = await createTenantWithClient(server, 'acme');
    ownerId = (await createUser(server.ctx, acme.tenant, { email: 'owner@acme.test' })).id;
  });
  after(() => server.stop());

  it('liveOnly refuses a test key without introspecting it, and accepts a live key', async () => {
    const verifier = createVerifier({ issuer: issuerOf(server, 'acme'), audience: acme.clientId, apiKeys: { clientId: acme.clientId, clientSecret: acme.clientSecret, liveOnly: true }, fetch: counting });
    const test = await createApiKey(server.ctx.db, acme.tenant, { ownerUserId: ownerId, mode: 'test' }, Date.now());
    const live = await createApiKey(server.ctx.db, acme.tenant, { ownerUserId: ownerId }, Date.now());
    introspections = 0;
    await assert.rejects(verifier.verify(test.key), (error: Error & { status: number }) => error.status === 401 && /test API keys are not accepted/.test(error.message));
    assert.equal(introspections, 0, 'refused before asking the IdP');
    assert.equal((await verifier.verify(live.key)).sub, ownerId);
  });

  it('refuses a key past its expiry even while its positive answer is cached', async () => {
    let clock = Date.now();
    const verifier = createVerifier({ issuer: issuerOf(server, 'acme'), audience: acme.clientId, apiKeys: { clientId: acme.clientId, clientSecret: acme.clientSecret, positiveTtlMs: 3_600_000 }, fetch: counting, now: () => clock });
    const key = await createApiKey(server.ctx.db, acme.tenant, { ownerUserId: ownerId, expiresAt: Date.now() + 60_000 }, Date.now());
    introspections = 0;
    assert.equal((await verifier.verify(key.key)).sub, ownerId);
    clock += 61_000;
    await assert.rejects(verifier.verify(key.key), /has expired/);
    assert.equal(introspections, 1, 'the refusal came from the cached answer and its exp');
  });

  it('refuses to trust discovery that names another issuer (mix-up): 503, nothing verified', async () => {
    // The same server under another name: its discovery names the issuer it was configured with.
    const elsewhere = issuerOf(server, 'acme').replace('127.0.0.1', 'localhost');
    const verifier = createVerifier({ issuer: elsewhere, audience: acme.clientId });
    const response = await postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: acme.clientId, client_secret: acme.clientSecret });
    const token = ((await response.json()) as { access_token: string }).access_token;
    await assert.rejects(verifier.verify(token), (error: Error & { status: number }) => error.status === 503 && /discovery names issuer/.test(error.message));
  });
});
