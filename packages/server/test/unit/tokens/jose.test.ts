import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateSigningKeyPair, importPrivateSigningKey, JwtVerificationError, SecretBox, signJwt, verifyJwtWithJwks } from '../../../src/tokens/jose.ts';

describe('the jose seam', () => {
  for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
    it(`signs ${alg} JWTs that verify against the public JWK, and refuses tampering`, async () => {
      const { publicJwk, privateJwk } = await generateSigningKeyPair(alg, `kid-${alg}`);
      assert.equal(publicJwk.d, undefined);
      const key = await importPrivateSigningKey(privateJwk, alg);
      const now = Math.floor(Date.now() / 1000);
      const token = await signJwt({ iss: 'https://i', sub: 's', aud: 'a', iat: now, exp: now + 60 }, key, { typ: 'at+jwt' });
      const { payload, header } = await verifyJwtWithJwks(token, { keys: [publicJwk] }, { issuer: 'https://i', audience: 'a', typ: 'at+jwt' });
      assert.equal(payload.sub, 's');
      assert.equal(header.kid, `kid-${alg}`);
      const [h, p, s] = token.split('.');
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'admin' })).toString('base64url')}.${s}`;
      assert.notEqual(tampered, `${h}.${p}.${s}`);
      await assert.rejects(verifyJwtWithJwks(tampered, { keys: [publicJwk] }), JwtVerificationError);
    });
  }

  it('refuses to import a private key for an algorithm it does not fit (as importJWK did), and a public key', async () => {
    const rsa = await generateSigningKeyPair('RS256', 'r');
    const ec = await generateSigningKeyPair('ES256', 'e');
    const ed = await generateSigningKeyPair('EdDSA', 'd');
    assert.throws(() => importPrivateSigningKey(rsa.privateJwk, 'ES256'), /not an ES256 key/);
    assert.throws(() => importPrivateSigningKey(ec.privateJwk, 'EdDSA'), /not an EdDSA key/);
    assert.throws(() => importPrivateSigningKey(ed.privateJwk, 'RS256'), /not an RS256 key/);
    assert.throws(() => importPrivateSigningKey({ ...ec.publicJwk }, 'ES256'));
    // The curve and the modulus size count, not only the key type (RFC 7518 §3.3, §3.4).
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'jwk' });
    assert.throws(() => importPrivateSigningKey({ ...p384, kid: 'p' }, 'ES256'), /not an ES256 key/);
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' });
    assert.throws(() => importPrivateSigningKey({ ...rsa1024, kid: 'small' }, 'RS256'), /not an RS256 key/);
    const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    assert.equal(importPrivateSigningKey({ ...rsa2048, kid: 'big' }, 'RS256').kid, 'big');
    // A JWK whose members do not make a key of its kind is refused by the import itself.
    assert.throws(() => importPrivateSigningKey({ ...ec.privateJwk, x: rsa.privateJwk.n }, 'ES256'));
    assert.equal(importPrivateSigningKey(ec.privateJwk, 'ES256').kid, 'e');
  });

  it('reports expiry distinctly, and verifies expired tokens only when asked', async () => {
    const { publicJwk, privateJwk } = await generateSigningKeyPair('ES256', 'k');
    const key = await importPrivateSigningKey(privateJwk, 'ES256');
    const token = await signJwt({ iat: 1000, exp: 2000 }, key, { typ: 'JWT' });
    await assert.rejects(verifyJwtWithJwks(token, { keys: [publicJwk] }), (e: unknown) => e instanceof JwtVerificationError && e.reason === 'expired');
    const { payload } = await verifyJwtWithJwks(token, { keys: [publicJwk] }, { allowExpired: true });
    assert.equal(payload.exp, 2000);
  });

  it('refuses unsigned tokens (alg none)', async () => {
    const { publicJwk } = await generateSigningKeyPair('RS256', 'k');
    const none = `${Buffer.from('{"alg":"none","kid":"k"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`;
    await assert.rejects(verifyJwtWithJwks(none, { keys: [publicJwk] }), JwtVerificationError);
  });

  it('seals private keys under the master secret, and another secret cannot open them', async () => {
    const box = new SecretBox('a-master-secret-that-is-long-enough-000', 'signing-keys');
    const sealed = await box.seal('{"d":"private"}');
    assert.ok(!sealed.includes('private'));
    assert.equal(await box.open(sealed), '{"d":"private"}');
    await assert.rejects(new SecretBox('another-master-secret-long-enough-0000', 'signing-keys').open(sealed));
  });
});
