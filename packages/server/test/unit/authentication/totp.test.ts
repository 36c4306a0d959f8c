/** RFC 6238 through otpauth (totp.ts): the reference vectors of RFC 6238 Appendix B, ±1 step, the QR SVG. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { matchTotp, newTotpSecret, normalizeTotpCode, totpQrSvg, totpUri } from '../../../src/authentication/totp.ts';
import { normalizeRecoveryCode } from '../../../src/authentication/recovery-codes.ts';

// RFC 6238 Appendix B, SHA-1 seed "12345678901234567890" (base32), last 6 of the 8-digit codes.
const SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('TOTP', () => {
  it('matches the RFC 6238 test vectors and names the time step', () => {
    assert.equal(matchTotp(SEED, '287082', 59_000), 1);
    assert.equal(matchTotp(SEED, '081804', 1111111109_000), 37037036);
    assert.equal(matchTotp(SEED, '005924', 1234567890_000), 41152263);
  });

  it('allows one step of drift either way, and nothing more; refuses non-codes', () => {
    assert.equal(matchTotp(SEED, '287082', 59_000 + 30_000), 1, 'one step late');
    assert.equal(matchTotp(SEED, '287082', 59_000 + 60_000), undefined, 'two steps late');
    assert.equal(matchTotp(SEED, '28708', 59_000), undefined);
    assert.equal(matchTotp(SEED, '2870822', 59_000), undefined);
    assert.equal(matchTotp(SEED, 'abcdef', 59_000), undefined);
  });

  it('makes 160-bit secrets, an otpauth URI and a server-side SVG QR code', async () => {
    const secret = newTotpSecret();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    const uri = totpUri(secret, { issuer: 'Acme Corp', label: 'ada@acme.example' });
    assert.match(uri, /^otpauth:\/\/totp\/Acme%20Corp:ada%40acme\.example\?issuer=Acme%20Corp&secret=[A-Z2-7]+&algorithm=SHA1&digits=6&period=30$/);
    const svg = await totpQrSvg(uri);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.doesNotMatch(svg, /<script|style=|on[a-z]+=/i, 'nothing a strict CSP would have to allow');
  });

  it('reads codes as people type them', () => {
    assert.equal(normalizeTotpCode(' 123 456 '), '123456');
    assert.equal(normalizeRecoveryCode('ABCDE-FGHJK'), 'abcdefghjk');
    assert.equal(normalizeRecoveryCode('o1lI0 -x'), '01110x');
  });
});
