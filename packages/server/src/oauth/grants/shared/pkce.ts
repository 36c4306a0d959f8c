import { createHash, timingSafeEqual } from 'node:crypto';
import { InvalidGrant, assert } from '../../../errors/oauth-error.ts';

const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** RFC 7636 §4.6 (S256 only). A verifier for a code issued without a challenge is refused too (RFC 9700 §2.1.1). */
export function verifyPkce(codeChallenge: string | null, codeVerifier: string | undefined): void {
  if (codeChallenge === null) {
    assert(codeVerifier === undefined, new InvalidGrant('code_verifier sent, but the authorization request had no code_challenge'));
    return;
  }
  assert(codeVerifier !== undefined && codeVerifier !== '', new InvalidGrant('code_verifier is required (the authorization request used PKCE)'));
  assert(CODE_VERIFIER.test(codeVerifier), new InvalidGrant('code_verifier must be 43 to 128 unreserved characters'));
  const computed = Buffer.from(createHash('sha256').update(codeVerifier, 'ascii').digest('base64url'));
  const expected = Buffer.from(codeChallenge);
  assert(computed.length === expected.length && timingSafeEqual(computed, expected), new InvalidGrant('code_verifier does not match the code_challenge'));
}
