/**
 * Access-token verification with local keys: jose parses the header once, and the refusals that need no key
 * (algorithm outside the allow-list, wrong or missing `typ`) happen before the JWKS cache is asked; the key
 * lookup sees the token's kid; the clock and its tolerance decide expiry.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { JWK, JWTPayload } from 'jose';
import { AuthError, IdpUnavailable } from '../src/errors.ts';
import { createJwtVerifier } from '../src/verify/jwt-verifier.ts';
import type { JwksCache } from '../src/verify/jwks-cache.ts';

const ISSUER = 'https://id.example.test/t/acme';
const AUDIENCE = 'mail-api';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWKS cache over a fixed list that records every lookup. */
function fakeJwks(keys: readonly JWK[], fail?: Error): JwksCache & { readonly lookups: (string | undefined)[] } {
  const lookups: (string | undefined)[] = [];
  return {
    lookups,
    fetchCount: 1,
    async keysFor(kid) {
      lookups.push(kid);
      if (fail) throw fail;
      return kid === undefined ? keys : keys.filter((key) => key.kid === kid);
    },
  };
}

describe('JWT access-token verification', () => {
  let signer: CryptoKey;
  let other: CryptoKey;
  let keys: JWK[];

  const sign = (claims: JWTPayload = {}, header: Record<string, unknown> = {}, key = signer) => {
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'usr_1', iat, exp: iat + 600, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'at+jwt', ...header })
      .sign(key);
  };
  const refuses = async (promise: Promise<unknown>, pattern: RegExp) => {
    await assert.rejects(promise, (error: unknown) => {
      assert.ok(error instanceof AuthError, String(error));
      assert.equal(error.status, 401);
      assert.equal(error.code, 'invalid_token');
      assert.match(error.message, pattern);
      return true;
    });
  };

  before(async () => {
    const first = await generateKeyPair('RS256');
    const second = await generateKeyPair('RS256');
    signer = first.privateKey;
    other = second.privateKey;
    keys = [
      { ...(await exportJWK(first.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(second.publicKey)), kid: 'k2', alg: 'RS256', use: 'sig' },
    ];
  });

  it('accepts a genuine token, token after token, and asks the cache for its kid', async () => {
    const jwks = fakeJwks(keys);
    const verify = createJwtVerifier(jwks, { issuer: ISSUER, audience: AUDIENCE });
    for (let i = 0; i < 3; i += 1) assert.equal((await verify(await sign())).sub, 'usr_1');
    assert.deepEqual(jwks.lookups, ['k1', 'k1', 'k1']);
  });

  it('verifies a token without a kid against the one key of the set its algorithm can use', async () => {
    const ec = await generateKeyPair('ES256');
    const mixed = [keys[0]!, { ...(await exportJWK(ec.publicKey)), kid: 'e1', alg: 'ES256', use: 'sig' }];
    const verify = createJwtVerifier(fakeJwks(mixed), { issuer: ISSUER, audience: [AUDIENCE, 'other-api'] });
    for (let i = 0; i < 2; i += 1) assert.equal((await verify(await sign({}, { kid: undefined }))).sub, 'usr_1');
    const iat = Math.floor(Date.now() / 1000);
    const es256 = await new SignJWT({ iss: ISSUER, aud: 'other-api', sub: 'usr_2', iat, exp: iat + 600 }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' }).sign(ec.privateKey);
    assert.equal((await verify(es256)).sub, 'usr_2');
  });

  it('refuses algorithms outside the allow-list before any key is looked up (RFC 8725 §2.1, §3.1)', async () => {
    const jwks = fakeJwks(keys);
    const verify = createJwtVerifier(jwks, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256', 'HS256', 'none'] });
    const payload = { iss: ISSUER, aud: AUDIENCE, sub: 'usr_1', exp: Math.floor(Date.now() / 1000) + 600 };
    await refuses(verify(`${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(payload)}.`), /algorithm none is not accepted/);
    const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: 'k1' })}.${b64(payload)}`;
    const mac = createHmac('sha256', JSON.stringify(keys[0])).update(input).digest('base64url');
    await refuses(verify(`${input}.${mac}`), /algorithm HS256 is not accepted/);
    await refuses(createJwtVerifier(jwks, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'] })(await sign()), /algorithm RS256 is not accepted/);
    assert.deepEqual(jwks.lookups, []);
  });

  it('refuses a wrong, missing or non-string typ before any key is looked up (RFC 9068 §4)', async () => {
    const jwks = fakeJwks(keys);
    const verify = createJwtVerifier(jwks, { issuer: ISSUER, audience: AUDIENCE });
    await refuses(verify(await sign({}, { typ: 'JWT' })), /type must be at\+jwt/);
    await refuses(verify(await sign({}, { typ: undefined })), /type must be at\+jwt/);
    // Regression: a numeric typ threw a TypeError (a 500) instead of refusing the token.
    const input = `${b64({ alg: 'RS256', kid: 'k1', typ: 7 })}.${b64({ iss: ISSUER, aud: AUDIENCE, sub: 'usr_1' })}`;
    await refuses(verify(`${input}.${'A'.repeat(342)}`), /type must be at\+jwt/);
    assert.deepEqual(jwks.lookups, []);
    assert.equal((await verify(await sign({}, { typ: 'application/at+jwt' }))).sub, 'usr_1');
  });

  it('refuses unknown keys, bad signatures, foreign claims and garbage with their reasons', async () => {
    const verify = createJwtVerifier(fakeJwks(keys), { issuer: ISSUER, audience: AUDIENCE });
    await refuses(verify(await sign({}, { kid: 'k9' })), /unknown key/);
    await refuses(verify(await sign({}, { kid: 'k1' }, other)), /signature/);
    await refuses(verify(await sign({ iss: 'https://elsewhere.test' })), /iss claim/);
    await refuses(verify(await sign({ aud: 'another-api' })), /aud claim/);
    await refuses(verify(await sign({ sub: undefined })), /sub claim/);
    await refuses(verify('abc.def.ghi'), /not a JWT/);
    await refuses(verify(`${b64({ typ: 'at+jwt' })}.${b64({})}.AAAA`), /not a JWT/);
  });

  it('judges exp and nbf by the given clock, with its tolerance', async () => {
    let clock = Date.now();
    const verify = createJwtVerifier(fakeJwks(keys), { issuer: ISSUER, audience: AUDIENCE, clockToleranceSeconds: 30, now: () => clock });
    const token = await sign({ exp: Math.floor(clock / 1000) + 60, nbf: Math.floor(clock / 1000) + 20 });
    assert.equal((await verify(token)).sub, 'usr_1');
    clock += 80_000;
    assert.equal((await verify(token)).sub, 'usr_1', 'expired 20 s ago, within the tolerance');
    clock += 20_000;
    await refuses(verify(token), /expired/);
    clock -= 160_000;
    await refuses(verify(token), /not valid yet/);
    const systemClock = createJwtVerifier(fakeJwks(keys), { issuer: ISSUER, audience: AUDIENCE, clockToleranceSeconds: 0 });
    await refuses(systemClock(await sign({ exp: Math.floor(Date.now() / 1000) - 1 })), /expired/);
  });

  it('lets a JWKS failure through as it is (503), not as a refusal of the token', async () => {
    const verify = createJwtVerifier(fakeJwks(keys, new IdpUnavailable('JWKS answered 502')), { issuer: ISSUER, audience: AUDIENCE });
    await assert.rejects(verify(await sign()), (error: unknown) => error instanceof IdpUnavailable && error.status === 503);
  });
});
