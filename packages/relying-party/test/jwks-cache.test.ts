/**
 * The JWKS cache over a fake fetch: one fetch serves every lookup until the set ages out; a kid's keys are
 * found once and the same list is handed out after; an unknown kid refetches at most once per cooldown, and
 * a key the issuer published since is then found.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createJwksCache } from '../src/verify/jwks-cache.ts';
import { IdpUnavailable } from '../src/errors.ts';

const JWKS_URL = 'https://id.example.test/t/acme/jwks';

function issuer(initial: string[]) {
  const state = { kids: initial, fetches: 0, down: false, clock: 1_000_000 };
  const fetchImpl = (async (input: string | URL | Request) => {
    assert.equal(String(input), JWKS_URL);
    state.fetches += 1;
    if (state.down) return new Response('unavailable', { status: 502 });
    return Response.json({ keys: state.kids.map((kid) => ({ kty: 'OKP', crv: 'Ed25519', x: kid, kid })) });
  }) as typeof fetch;
  const jwks = createJwksCache(JWKS_URL, { fetch: fetchImpl, now: () => state.clock, maxAgeMs: 600_000, refetchCooldownMs: 30_000 });
  return { state, jwks };
}

describe('JWKS cache', () => {
  it('fetches once, finds a kid once and hands out the same list after', async () => {
    const { state, jwks } = issuer(['k1', 'k2']);
    const first = await jwks.keysFor('k1');
    assert.deepEqual(first.map((key) => key.kid), ['k1']);
    assert.equal(await jwks.keysFor('k1'), first);
    assert.deepEqual((await jwks.keysFor('k2')).map((key) => key.kid), ['k2']);
    assert.deepEqual((await jwks.keysFor(undefined)).map((key) => key.kid), ['k1', 'k2']);
    assert.equal(state.fetches, 1);
    assert.equal(jwks.fetchCount, 1);
  });

  it('refetches when the set ages out, and then answers from the new set only', async () => {
    const { state, jwks } = issuer(['k1']);
    const old = await jwks.keysFor('k1');
    state.kids = ['k2'];
    state.clock += 600_000;
    assert.equal((await jwks.keysFor('k1')).length, 0, 'a key the issuer withdrew is gone');
    assert.deepEqual((await jwks.keysFor('k2')).map((key) => key.kid), ['k2']);
    assert.notEqual(await jwks.keysFor('k2'), old);
    assert.equal(state.fetches, 2);
  });

  it('refetches once for an unknown kid, not again within the cooldown, and finds a key published since', async () => {
    const { state, jwks } = issuer(['k1']);
    await jwks.keysFor('k1');
    state.clock += 31_000;
    state.kids = ['k1', 'k2'];
    assert.deepEqual((await jwks.keysFor('k2')).map((key) => key.kid), ['k2'], 'the rotated-in key is found on the refetch');
    assert.equal(state.fetches, 2);
    assert.equal((await jwks.keysFor('forged-1')).length, 0);
    assert.equal((await jwks.keysFor('forged-2')).length, 0);
    assert.equal(state.fetches, 2, 'unknown kids within the cooldown fetch nothing');
    state.clock += 31_000;
    state.kids = ['k1', 'k2', 'forged-1'];
    assert.equal((await jwks.keysFor('forged-1')).length, 1, 'an unknown kid is not remembered as unknown');
    assert.equal(state.fetches, 3);
  });

  it('answers IdpUnavailable when the JWKS cannot be fetched', async () => {
    const { state, jwks } = issuer(['k1']);
    state.down = true;
    await assert.rejects(jwks.keysFor('k1'), (error: unknown) => error instanceof IdpUnavailable && /502/.test(error.message));
  });
});
