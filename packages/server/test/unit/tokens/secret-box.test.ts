/**
 * `SecretBox` seals and opens with node:crypto instead of jose (issue 21: opening a signing key through jose cost
 * 0.2 ms of a cold token). What it writes and reads must stay the standard compact JWE (`dir` + A256GCM) that
 * jose writes and reads, in both directions, so every secret already stored still opens.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hkdfSync } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { SecretBox } from '../../../src/tokens/secret-box.ts';

const SECRET = 'a-master-secret-that-is-long-enough-000';
const key = new Uint8Array(hkdfSync('sha256', SECRET, 'latchkey', 'signing-keys', 32));
const box = new SecretBox(SECRET, 'signing-keys');

function part(jwe: string, index: number, replacement: string): string {
  const parts = jwe.split('.');
  parts[index] = replacement;
  return parts.join('.');
}

describe('SecretBox', () => {
  it('opens what jose sealed (every secret stored so far) and jose opens what it seals', async () => {
    for (const text of ['{"d":"private","kid":"k"}', '', 'é ü ☃ '.repeat(100)]) {
      const byJose = await new CompactEncrypt(new TextEncoder().encode(text)).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(key);
      assert.equal(await box.open(byJose), text);
      const ours = await box.seal(text);
      const { plaintext, protectedHeader } = await compactDecrypt(ours, key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
      assert.equal(new TextDecoder().decode(plaintext), text);
      assert.deepEqual(protectedHeader, { alg: 'dir', enc: 'A256GCM' });
    }
  });

  it('seals under a fresh IV each time, and reveals nothing of the plaintext', async () => {
    const [a, b] = [await box.seal('{"d":"private"}'), await box.seal('{"d":"private"}')];
    assert.notEqual(a, b);
    assert.ok(!a.includes('private'));
  });

  it('refuses another secret, another purpose, and any changed part', async () => {
    const sealed = await box.seal('{"d":"private"}');
    await assert.rejects(new SecretBox('another-master-secret-long-enough-0000', 'signing-keys').open(sealed));
    await assert.rejects(new SecretBox(SECRET, 'totp-secrets').open(sealed));
    const [, , iv, ciphertext, tag] = sealed.split('.') as [string, string, string, string, string];
    const flip = (s: string) => Buffer.from(Buffer.from(s, 'base64url').map((byte, i) => (i === 0 ? byte ^ 1 : byte))).toString('base64url');
    await assert.rejects(box.open(part(sealed, 2, flip(iv))));
    await assert.rejects(box.open(part(sealed, 3, flip(ciphertext))));
    await assert.rejects(box.open(part(sealed, 4, flip(tag))));
    // The header is authenticated too: the same parameters in another order are another AAD.
    const reordered = Buffer.from('{"enc":"A256GCM","alg":"dir"}').toString('base64url');
    await assert.rejects(box.open(part(sealed, 0, reordered)));
  });

  it('refuses what it does not write: another algorithm, compression, critical parameters, an encrypted key, a short tag', async () => {
    const sealed = await box.seal('x');
    for (const header of [{ alg: 'dir', enc: 'A128GCM' }, { alg: 'A256KW', enc: 'A256GCM' }, { alg: 'dir', enc: 'A256GCM', zip: 'DEF' }, { alg: 'dir', enc: 'A256GCM', crit: ['b64'], b64: false }]) {
      await assert.rejects(box.open(part(sealed, 0, Buffer.from(JSON.stringify(header)).toString('base64url'))), /not a sealed secret/);
    }
    await assert.rejects(box.open(part(sealed, 1, 'AAAA')), /not a sealed secret/);
    await assert.rejects(box.open(part(sealed, 4, 'AAAA')), /not a sealed secret/);
    await assert.rejects(box.open(`${sealed}.x`), /not a sealed secret/);
    await assert.rejects(box.open('not a jwe'), /not a sealed secret/);
  });
});
