/**
 * What `jwks-cache.test.ts` checks over a fake fetch, proven against a real Latchkey's JWKS (issue 22): one
 * fetch serves every lookup until the set ages out; a key rotated in on the server is found by one refetch
 * for its unknown kid; forged kids within the cooldown fetch nothing; a withdrawn key is gone after the set
 * ages out; an unreachable issuer is IdpUnavailable. Time is the cache's injected clock; the fetches are real.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtectedHeader } from 'jose';
import { createTenantWithClient, freePort, issuerOf, startTestServer } from '../../server/test/support/server.ts';
import type { TenantWithClient, TestServer } from '../../server/test/support/server.ts';
import { postForm } from '../../server/test/support/http.ts';
import { createJwksCache } from '../src/verify/jwks-cache.ts';
import { IdpUnavailable } from '../src/errors.ts';
import { createVerifier } from '../src/index.ts';

describe('JWKS cache against a real Latchkey', () => {
  let server: TestServer;
  let acme: TenantWithClient;
  let fetches = 0;
  const counting: typeof fetch = (input, init) => {
    fetches += 1;
    return fetch(input, init);
  };
  const kidOfNewToken = async () => {
    const response = await postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: acme.clientId, client_secret: acme.clientSecret });
    return String(decodeProtectedHeader(((await response.json()) as { access_token: string }).access_token).kid);
  };

  before(async () => {
    server = await startTestServer('sqlite');
    acme = await createTenantWithClient(server, 'acme');
  });
  after(() => server.stop());

  it('serves lookups from one fetch, finds a rotated-in key with one refetch, and fetches nothing for forged kids within the cooldown', async () => {
    let clock = 1_000_000;
    fetches = 0;
    const jwks = createJwksCache(`${issuerOf(server, 'acme')}/jwks`, { fetch: counting, now: () => clock, maxAgeMs: 600_000, refetchCooldownMs: 30_000 });
    const first = await kidOfNewToken();
    const found = await jwks.keysFor(first);
    assert.deepEqual(found.map((key) => key.kid), [first]);
    assert.equal(await jwks.keysFor(first), found, 'the same list, no new fetch');
    assert.equal(fetches, 1);

    const rotation = await server.ctx.signingKeys.rotate(acme.tenant.id, 'RS256', 3_600_000, 0);
    const second = await kidOfNewToken();
    assert.equal(second, rotation.kid, 'the server signs with the rotated-in key');
    clock += 31_000;
    assert.deepEqual((await jwks.keysFor(second)).map((key) => key.kid), [second], 'one refetch finds it');
    assert.equal(fetches, 2);
    assert.equal((await jwks.keysFor('forged-1')).length, 0);
    assert.equal((await jwks.keysFor('forged-2')).length, 0);
    assert.equal(fetches, 2, 'unknown kids within the cooldown fetch nothing');
    assert.deepEqual((await jwks.keysFor(first)).map((key) => key.kid), [first], 'the retired key stays published for its tokens');
  });

  it('refetches once the set ages out, and answers from what the server publishes now', async () => {
    let clock = 1_000_000;
    fetches = 0;
    const jwks = createJwksCache(`${issuerOf(server, 'acme')}/jwks`, { fetch: counting, now: () => clock, maxAgeMs: 600_000, refetchCooldownMs: 30_000 });
    const before = await jwks.keysFor(undefined);
    // Withdraw every published key on the server (as a retirement does once their tokens expired) and rotate.
    await server.ctx.db.updateTable('signing_keys').set({ publish_until: Date.now() - 1 }).where('tenant_id', '=', acme.tenant.id).execute();
    const rotation = await server.ctx.signingKeys.rotate(acme.tenant.id, 'RS256', 3_600_000, 0);
    const withinAge = await jwks.keysFor(undefined);
    assert.equal(withinAge, before, 'within maxAge the cached set is served');
    clock += 600_000;
    const after = await jwks.keysFor(undefined);
    assert.deepEqual(after.map((key) => key.kid), [rotation.kid], 'after maxAge only what the server publishes now');
    assert.equal(fetches, 2);
  });

  it('answers IdpUnavailable when the issuer cannot be reached', async () => {
    const port = await freePort();
    const jwks = createJwksCache(`http://127.0.0.1:${port}/t/acme/jwks`);
    await assert.rejects(jwks.keysFor('any'), IdpUnavailable);
    const missing = createJwksCache(`${server.url}/t/no-such-tenant/jwks`);
    await assert.rejects(missing.keysFor('any'), IdpUnavailable);
  });

  it('lets the verifier answer 503 (not a refusal of the token) when the issuer goes away after discovery', async () => {
    const gone = await startTestServer('sqlite');
    const beta = await createTenantWithClient(gone, 'beta');
    const response = await postForm(`${gone.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: beta.clientId, client_secret: beta.clientSecret });
    const token = ((await response.json()) as { access_token: string }).access_token;
    let clock = Date.now();
    const verifier = createVerifier({ issuer: issuerOf(gone, 'beta'), audience: beta.clientId, now: () => clock });
    assert.equal(typeof (await verifier.verify(token)).sub, 'string', 'verified while the issuer is up');
    const rotation = await gone.ctx.signingKeys.rotate(beta.tenant.id, 'RS256', 3_600_000, 0);
    const unknownKid = ((await (await postForm(`${gone.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: beta.clientId, client_secret: beta.clientSecret })).json()) as { access_token: string }).access_token;
    assert.equal(decodeProtectedHeader(unknownKid).kid, rotation.kid);
    await gone.stop();
    clock += 10 * 60_000; // past the refetch cooldown and the key set's age: the verifier must ask the issuer
    await assert.rejects(verifier.verify(unknownKid), (error: Error & { status: number }) => error.status === 503);
  });
});
