/**
 * OpenID Connect ID tokens (Core §2): signed with the tenant's current key (`kid`, `typ: JWT`), carrying iss,
 * sub, aud, azp, exp, iat, auth_time, nonce, amr, acr, at_hash, sid and the profile/email claims the scope releases.
 */
import { createHash } from 'node:crypto';
import type { Latchkey } from '../context.ts';
import type { Client } from '../db/queries/clients.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import type { UserRow } from '../db/queries/users.ts';
import { issuerFor } from '../directory/tenant-directory.ts';
import { userClaimsForScope } from '../oauth/user-claims.ts';
import { JwtVerificationError, signJwt, verifyJwtWithJwks } from './jose.ts';
import type { JWTPayload, SigningAlgorithm } from './jose.ts';

export interface IdTokenRequest {
  readonly tenant: Tenant;
  readonly client: Client;
  readonly user: UserRow;
  readonly scope: readonly string[];
  /** Epoch milliseconds of the sign-in. */
  readonly authTime: number;
  readonly nonce?: string | null;
  /** RFC 8176 methods and the level reached (Core §2). */
  readonly amr?: readonly string[];
  readonly acr?: string;
  readonly sessionId?: string | null;
  /** The access token issued alongside, for `at_hash`. */
  readonly accessToken?: string;
  /** Claims of a session begun upstream (`idp`, see federation/session-claims.ts). */
  readonly federation?: Readonly<Record<string, unknown>>;
}

/** Core §3.1.3.6: the left half of the hash of the access token, with the hash of the signing algorithm. */
export function accessTokenHash(accessToken: string, alg: SigningAlgorithm): string {
  // EdDSA with Ed25519 hashes with SHA-512 (as the OpenID Foundation's conformance suite expects).
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256').update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

export async function issueIdToken(ctx: Latchkey, request: IdTokenRequest): Promise<string> {
  const { tenant, client, user } = request;
  const key = await ctx.signingKeys.activeKey(tenant.id, tenant.settings.signing_alg);
  const iat = Math.floor(ctx.now() / 1000);
  const payload: JWTPayload = {
    ...userClaimsForScope(user, request.scope),
    iss: issuerFor(ctx.config.baseUrl, tenant.slug),
    sub: user.id,
    aud: client.clientId,
    azp: client.clientId,
    exp: iat + tenant.settings.id_token_lifetime,
    iat,
    auth_time: Math.floor(request.authTime / 1000),
  };
  if (request.federation) Object.assign(payload, request.federation);
  if (request.nonce) payload.nonce = request.nonce;
  if (request.amr) payload.amr = [...request.amr];
  if (request.acr) payload.acr = request.acr;
  if (request.sessionId) payload.sid = request.sessionId;
  if (request.accessToken) payload.at_hash = accessTokenHash(request.accessToken, key.alg);
  return signJwt(payload, key, { typ: 'JWT' });
}

/**
 * An ID token this tenant issued (`id_token_hint`, RP-initiated logout): signature and issuer must check out;
 * an expired one is still a fine hint (Core §3.1.2.1). Undefined for anything else.
 */
export async function verifyIdTokenHint(ctx: Latchkey, tenant: Tenant, token: string): Promise<{ sub: string; aud: string; sid?: string } | undefined> {
  try {
    const { payload, header } = await verifyJwtWithJwks(token, await ctx.signingKeys.jwks(tenant.id), {
      issuer: issuerFor(ctx.config.baseUrl, tenant.slug),
      allowExpired: true,
    });
    if (header.typ === 'at+jwt' || typeof payload.sub !== 'string') return undefined;
    const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
    if (typeof aud !== 'string') return undefined;
    return { sub: payload.sub, aud, ...(typeof payload.sid === 'string' ? { sid: payload.sid } : {}) };
  } catch (error) {
    if (error instanceof JwtVerificationError) return undefined;
    throw error;
  }
}
