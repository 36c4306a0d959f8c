/**
 * `signJwt` signs with node:crypto instead of jose (it was measured faster): jose must verify every token it
 * makes, for every algorithm we sign with, and the bytes must be what jose itself would produce.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { generateSigningKeyPair, importPrivateSigningKey, signJwt, signJwtWithJose, SIGNING_ALGORITHMS, verifyJwtWithJwks } from '../../../src/tokens/jose.ts';

const CLAIMS = {
  iss: 'https://id.example/t/acme',
  sub: 'usr_1',
  aud: 'api://orders',
  client_id: 'abc',
  scope: 'openid email',
  groups: ['admins', 'é ü ☃'],
  tenant_id: 'tnt_1',
};

for (const alg of SIGNING_ALGORITHMS) {
  test(`${alg}: jose verifies every token signJwt makes, header and claims intact`, async () => {
    const { publicJwk, privateJwk } = await generateSigningKeyPair(alg, `kid-${alg}`);
    const key = await importPrivateSigningKey(privateJwk, alg);
    for (let i = 0; i < 25; i += 1) {
      const iat = 1_700_000_000 + i;
      const payload = { ...CLAIMS, iat, exp: iat + 3600, jti: randomUUID() };
      const token = await signJwt(payload, key, { typ: 'at+jwt' });
      const verified = await verifyJwtWithJwks(token, { keys: [publicJwk] }, { allowExpired: true, typ: 'at+jwt', algorithms: [alg] });
      assert.deepEqual(verified.payload, payload);
      assert.deepEqual(decodeProtectedHeader(token), { alg, kid: `kid-${alg}`, typ: 'at+jwt' });
      // jose's own verification with the public key, no Latchkey code in between.
      const direct = await jwtVerify(token, await crypto.subtle.importKey('jwk', publicJwk as JsonWebKey, alg === 'RS256' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : alg === 'ES256' ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'Ed25519' }, false, ['verify']), { currentDate: new Date(iat * 1000) });
      assert.equal(direct.payload.jti, payload.jti);
    }
  });
}

for (const alg of ['RS256', 'EdDSA'] as const) {
  test(`${alg}: signJwt produces the very bytes jose's SignJWT produces (deterministic signatures)`, async () => {
    const { privateJwk } = await generateSigningKeyPair(alg, 'same');
    const key = await importPrivateSigningKey(privateJwk, alg);
    const payload = { ...CLAIMS, iat: 1, exp: 2, jti: 'j' };
    assert.equal(await signJwt(payload, key, { typ: 'JWT' }), await signJwtWithJose(payload, key, { typ: 'JWT' }));
  });
}

test('a token signed by another key does not verify', async () => {
  const signer = await generateSigningKeyPair('RS256', 'k');
  const other = await generateSigningKeyPair('RS256', 'k');
  const token = await signJwt({ ...CLAIMS, iat: 1, exp: 2 }, await importPrivateSigningKey(signer.privateJwk, 'RS256'), { typ: 'at+jwt' });
  await assert.rejects(verifyJwtWithJwks(token, { keys: [other.publicJwk] }, { allowExpired: true }), { name: 'JwtVerificationError', reason: 'invalid' });
});

test('ECDSA DER signatures become R || S, whatever the INTEGER padding', async () => {
  const { derToJoseEcdsa } = await import('../../../src/tokens/jose.ts');
  const r = Buffer.alloc(32, 0xff);
  const s = Buffer.concat([Buffer.alloc(2, 0), Buffer.alloc(30, 0x11)]);
  // r has its high bit set (a 0x00 is prepended), s has two leading zero bytes (dropped in DER).
  const der = Buffer.concat([Buffer.from([0x30, 2 + 33 + 2 + 30, 0x02, 33, 0x00]), r, Buffer.from([0x02, 30]), s.subarray(2)]);
  assert.deepEqual(derToJoseEcdsa(der), Buffer.concat([r, s]));
  assert.throws(() => derToJoseEcdsa(Buffer.from([0x31, 0x00])), /malformed/);
});

test('refuses a claims set that is not a JSON object, as SignJWT does', async () => {
  const { privateJwk } = await generateSigningKeyPair('EdDSA', 'k');
  const key = await importPrivateSigningKey(privateJwk, 'EdDSA');
  for (const bad of [null, [], 'claims'] as unknown[]) {
    await assert.rejects(signJwt(bad as Record<string, unknown>, key, { typ: 'JWT' }), TypeError);
  }
});
