import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { verifyPkce } from '../../../../../src/oauth/grants/shared/pkce.ts';

// RFC 7636 Appendix B.
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('PKCE verification (S256)', () => {
  it('accepts the RFC 7636 example', () => {
    verifyPkce(CHALLENGE, VERIFIER);
  });

  it('refuses a wrong, missing, short or unexpected verifier with invalid_grant', () => {
    for (const [challenge, verifier] of [
      [CHALLENGE, `${VERIFIER.slice(0, -1)}l`],
      [CHALLENGE, undefined],
      [CHALLENGE, 'short'],
      [CHALLENGE, CHALLENGE],
      [null, VERIFIER],
    ] as const) {
      assert.throws(() => verifyPkce(challenge, verifier), (error: { error?: string }) => error.error === 'invalid_grant');
    }
    verifyPkce(null, undefined);
  });
});
