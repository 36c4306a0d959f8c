/**
 * Passkeys (WebAuthn Level 3) through `@simplewebauthn/server`, the one module that imports it: attestation and
 * assertion parsing, CBOR and signature checks are the library's. Latchkey keeps the challenges (single use,
 * five minutes), the credentials (public key, counter, backup flags) and the mapping to RFC 8176 `amr`.
 *
 * The relying party is the deployment: RP ID = the host name of LATCHKEY_BASE_URL, origin = its origin, the
 * same for every tenant (tenants are paths under one origin, and a passkey belongs to one tenant's user row).
 */
import { generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { isIP } from 'node:net';
import type { Latchkey } from '../context.ts';
import { recordAuditEvent } from '../audit/audit-log.ts';
import { userFactorQueries } from '../db/queries/user-factors.ts';
import type { UserFactorRow } from '../db/queries/user-factors.ts';
import { webauthnChallengeQueries } from '../db/queries/webauthn-challenges.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { userQueries } from '../db/queries/users.ts';
import type { UserRow } from '../db/queries/users.ts';
import { InvalidRequest } from '../errors/oauth-error.ts';
import { newId } from '../util/ids.ts';

const CHALLENGE_LIFETIME_MS = 5 * 60 * 1000;
/** A real response is 1–3 KB; anything far beyond is refused before parsing. */
export const MAX_WEBAUTHN_RESPONSE = 16 * 1024;

export interface RelyingParty {
  readonly id: string;
  readonly origin: string;
}

/** Undefined when the base URL's host cannot be an RP ID (an IP address: browsers refuse those). */
export function relyingPartyOf(ctx: Latchkey): RelyingParty | undefined {
  const url = new URL(ctx.config.baseUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) return undefined;
  return { id: host, origin: url.origin };
}

export interface PasskeyCeremony {
  readonly challengeId: string;
  /** The options for `@simplewebauthn/browser` (JSON, public). */
  readonly options: unknown;
}

async function storeChallenge(ctx: Latchkey, tenant: Tenant, userId: string | null, purpose: 'register' | 'authenticate', challenge: string): Promise<string> {
  const now = ctx.now();
  const id = newId('wac', now);
  const queries = webauthnChallengeQueries(ctx.db);
  await queries.insert({ id, tenant_id: tenant.id, user_id: userId, purpose, challenge, created_at: now, expires_at: now + CHALLENGE_LIFETIME_MS, used_at: null });
  if (Math.random() < 0.02) await queries.deleteExpired(now);
  return id;
}

function transportsOf(row: UserFactorRow): string[] | undefined {
  if (row.transports === null) return undefined;
  try {
    const list: unknown = JSON.parse(row.transports);
    return Array.isArray(list) ? list.filter((t): t is string => typeof t === 'string') : undefined;
  } catch {
    return undefined;
  }
}

export async function beginPasskeyRegistration(ctx: Latchkey, tenant: Tenant, user: UserRow, rp: RelyingParty): Promise<PasskeyCeremony> {
  const existing = (await userFactorQueries(ctx.db).listForUser(user.id)).filter((f) => f.type === 'passkey');
  const options = await generateRegistrationOptions({
    rpName: tenant.name,
    rpID: rp.id,
    userName: user.email ?? user.username ?? user.id,
    userID: new TextEncoder().encode(user.id),
    userDisplayName: user.display_name ?? user.email ?? user.username ?? '',
    attestationType: 'none',
    excludeCredentials: existing.map((f) => ({ id: f.credential_id!, ...(transportsOf(f) ? { transports: transportsOf(f)! } : {}) })),
    // Discoverable, so the passkey can sign in without a typed login; verified by PIN or biometric.
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
  return { challengeId: await storeChallenge(ctx, tenant, user.id, 'register', options.challenge), options };
}

/** A passkey sign-in: discoverable (no user yet) for a first factor, or limited to the user's own passkeys. */
export async function beginPasskeyAuthentication(ctx: Latchkey, tenant: Tenant, user: UserRow | undefined, rp: RelyingParty): Promise<PasskeyCeremony> {
  const allow = user === undefined ? [] : (await userFactorQueries(ctx.db).listForUser(user.id)).filter((f) => f.type === 'passkey');
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    userVerification: user === undefined ? 'required' : 'preferred',
    allowCredentials: allow.map((f) => ({ id: f.credential_id!, ...(transportsOf(f) ? { transports: transportsOf(f)! } : {}) })),
  });
  return { challengeId: await storeChallenge(ctx, tenant, user?.id ?? null, 'authenticate', options.challenge), options };
}

/** A refused WebAuthn response: audited, and a clear 400 that says which check failed. */
async function refuse(ctx: Latchkey, tenant: Tenant, ip: string, action: string, userId: string | null, reason: string): Promise<never> {
  await recordAuditEvent(ctx, { action, outcome: 'failure', tenantId: tenant.id, ip, target: userId ? { type: 'user', id: userId } : null, details: { factor: 'passkey', reason: reason.slice(0, 200) } });
  throw new InvalidRequest(`the passkey response was not accepted: ${reason}`);
}

function parseResponse<T>(text: string | undefined): T | undefined {
  if (text === undefined || text === '' || text.length > MAX_WEBAUTHN_RESPONSE) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as { id?: unknown }).id === 'string' ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

function libraryReason(error: unknown): string {
  return error instanceof Error ? error.message : 'verification failed';
}

/** The RFC 8176 values of a passkey use: `hwk` for a device-bound key, `swk` for a synced one, `user` when verified. */
export function passkeyAmr(deviceType: string | null, userVerified: boolean): string[] {
  return [deviceType === 'multiDevice' ? 'swk' : 'hwk', ...(userVerified ? ['user'] : [])];
}

export interface RegistrationInput {
  readonly tenant: Tenant;
  readonly user: UserRow;
  readonly rp: RelyingParty;
  readonly challengeId: string | undefined;
  readonly response: string | undefined;
  readonly name: string;
  readonly ip: string;
}

export async function finishPasskeyRegistration(ctx: Latchkey, input: RegistrationInput): Promise<{ factor: UserFactorRow; amr: string[] }> {
  const { tenant, user, rp, ip } = input;
  const action = 'user.mfa.enrol';
  const response = parseResponse<RegistrationResponseJSON>(input.response);
  if (response === undefined) return refuse(ctx, tenant, ip, action, user.id, input.response !== undefined && input.response.length > MAX_WEBAUTHN_RESPONSE ? 'the response is too large' : 'the response is not a WebAuthn registration');
  const challenge = input.challengeId === undefined ? undefined : await webauthnChallengeQueries(ctx.db).consume(tenant.id, input.challengeId.slice(0, 64), 'register', ctx.now());
  if (challenge === undefined || challenge.user_id !== user.id) return refuse(ctx, tenant, ip, action, user.id, 'the challenge is unknown, expired or was already used; reload the page and try again');
  let verified;
  try {
    verified = await verifyRegistrationResponse({ response, expectedChallenge: challenge.challenge, expectedOrigin: rp.origin, expectedRPID: rp.id, requireUserVerification: true });
  } catch (error) {
    return refuse(ctx, tenant, ip, action, user.id, libraryReason(error));
  }
  if (!verified.verified) return refuse(ctx, tenant, ip, action, user.id, 'the registration did not verify');
  const info = verified.registrationInfo;
  const queries = userFactorQueries(ctx.db);
  if ((await queries.findByCredentialId(tenant.id, info.credential.id)) !== undefined) return refuse(ctx, tenant, ip, action, user.id, 'this passkey is already registered');
  const now = ctx.now();
  const factor: UserFactorRow = {
    id: newId('fct', now), tenant_id: tenant.id, user_id: user.id, type: 'passkey', name: input.name.slice(0, 100) || 'Passkey',
    secret_sealed: null, last_step: null,
    credential_id: info.credential.id,
    public_key: Buffer.from(info.credential.publicKey).toString('base64url'),
    sign_count: info.credential.counter,
    transports: JSON.stringify(info.credential.transports ?? []),
    device_type: info.credentialDeviceType,
    backed_up: info.credentialBackedUp ? 1 : 0,
    created_at: now, confirmed_at: now, last_used_at: now,
  };
  await queries.insert(factor);
  await recordAuditEvent(ctx, { action, tenantId: tenant.id, ip, actor: { type: 'user', id: user.id }, target: { type: 'user', id: user.id }, details: { factor: 'passkey', factor_id: factor.id, device_type: factor.device_type, backed_up: info.credentialBackedUp } });
  return { factor, amr: passkeyAmr(factor.device_type, info.userVerified) };
}

export interface AssertionInput {
  readonly tenant: Tenant;
  readonly rp: RelyingParty;
  readonly challengeId: string | undefined;
  readonly response: string | undefined;
  /** The signed-in user for a second factor; undefined for a passkey-first sign-in. */
  readonly user: UserRow | undefined;
  readonly ip: string;
}

/** Verifies an assertion; returns the user it belongs to, the factor and the `amr` it earns. */
export async function finishPasskeyAuthentication(ctx: Latchkey, input: AssertionInput): Promise<{ user: UserRow; factor: UserFactorRow; amr: string[] }> {
  const { tenant, rp, ip } = input;
  const action = input.user === undefined ? 'user.sign_in' : 'user.mfa.verify';
  const expectedUserId = input.user?.id ?? null;
  const response = parseResponse<AuthenticationResponseJSON>(input.response);
  if (response === undefined) return refuse(ctx, tenant, ip, action, expectedUserId, input.response !== undefined && input.response.length > MAX_WEBAUTHN_RESPONSE ? 'the response is too large' : 'the response is not a WebAuthn assertion');
  const challenge = input.challengeId === undefined ? undefined : await webauthnChallengeQueries(ctx.db).consume(tenant.id, input.challengeId.slice(0, 64), 'authenticate', ctx.now());
  if (challenge === undefined || challenge.user_id !== expectedUserId) return refuse(ctx, tenant, ip, action, expectedUserId, 'the challenge is unknown, expired or was already used; reload the page and try again');
  const factor = response.id.length <= 1024 ? await userFactorQueries(ctx.db).findByCredentialId(tenant.id, response.id) : undefined;
  if (factor === undefined || (expectedUserId !== null && factor.user_id !== expectedUserId)) return refuse(ctx, tenant, ip, action, expectedUserId, 'this passkey is not registered here');
  let verified;
  try {
    verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: { id: factor.credential_id!, publicKey: new Uint8Array(Buffer.from(factor.public_key!, 'base64url')), counter: Number(factor.sign_count ?? 0), ...(transportsOf(factor) ? { transports: transportsOf(factor)! } : {}) },
      requireUserVerification: expectedUserId === null,
    });
  } catch (error) {
    return refuse(ctx, tenant, ip, action, factor.user_id, libraryReason(error));
  }
  if (!verified.verified) return refuse(ctx, tenant, ip, action, factor.user_id, 'the signature did not verify');
  const info = verified.authenticationInfo;
  if (!(await userFactorQueries(ctx.db).recordAssertion(factor.id, Number(factor.sign_count ?? 0), info.newCounter, info.credentialBackedUp, ctx.now()))) {
    return refuse(ctx, tenant, ip, action, factor.user_id, 'this passkey was used by another request at the same moment');
  }
  const user = await userQueries(ctx.db).findById(factor.user_id);
  if (user === undefined || user.status !== 'active') return refuse(ctx, tenant, ip, action, factor.user_id, 'this account cannot sign in');
  await recordAuditEvent(ctx, { action, tenantId: tenant.id, ip, actor: { type: 'user', id: user.id }, target: { type: 'user', id: user.id }, details: { factor: 'passkey', factor_id: factor.id, user_verified: info.userVerified } });
  return { user, factor, amr: passkeyAmr(factor.device_type, info.userVerified) };
}
