/**
 * OpenID Connect Core §3.1.3.7 for back ends that finish a sign-in: the ID token's signature (issuer's JWKS),
 * `typ: JWT`, iss, aud (our client), exp, and the `nonce` we sent.
 */
import { InvalidToken } from '../errors.ts';
import type { JWTPayload } from '../jose-seam.ts';
import { createJwtVerifier } from './jwt-verifier.ts';
import type { Verifier } from './verifier.ts';

/**
 * @example const claims = await verifyIdToken(verifier, tokens.id_token, { clientId, nonce: pending.nonce });
 */
export async function verifyIdToken(verifier: Verifier, idToken: string, expected: { clientId: string; nonce?: string }): Promise<JWTPayload> {
  const verify = createJwtVerifier(verifier.jwks, { issuer: verifier.discovery.issuer, audience: expected.clientId, typ: 'JWT' });
  const claims = await verify(idToken);
  if (expected.nonce !== undefined && claims.nonce !== expected.nonce) throw new InvalidToken('the ID token nonce does not match the sign-in request');
  return claims;
}
