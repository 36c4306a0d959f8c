/**
 * The state of one upstream round trip (RFC 6749 §10.12, OpenID Connect Core §15.5.2): a random `state` whose
 * SHA-256 keys a row bound to the tenant, the connection and the interaction, holding (sealed) the PKCE
 * verifier, the nonce and the interaction id. The same value goes into a cookie of the browser that started,
 * so a response only continues in that browser (login CSRF), and the row is consumed once (no replay). A
 * response presented at another connection's callback finds a row of another connection and is refused
 * (mix-up, RFC 9207 §2).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import { federationStateQueries } from '../db/queries/federation-states.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import type { FederationStatesTable } from '../db/schema-federation.ts';
import { readCookie, setCookie } from '../interaction/cookies.ts';
import { SecretBox } from '../tokens/jose.ts';
import { generateOpaqueToken, hashSecret } from '../tokens/opaque.ts';
import type { Connection } from './connections.ts';
import { FederationRefused } from './federation-errors.ts';

export const ROUND_TRIP_LIFETIME_MS = 10 * 60 * 1000;
const STATE_COOKIE = 'lk_fed';

export interface RoundTripData {
  readonly interactionId: string;
  readonly codeVerifier?: string;
  readonly nonce?: string;
  /** SAML: the AuthnRequest ID the response must answer (`InResponseTo`). */
  readonly requestId?: string;
}

export type OpenRoundTrip = RoundTripData & { readonly interactionHash: string; readonly createdAt: number };

function box(ctx: Latchkey): SecretBox {
  return new SecretBox(ctx.masterSecret, 'federation-round-trips');
}

export async function beginRoundTrip(ctx: Latchkey, reply: FastifyReply, tenant: Tenant, connection: Connection, interactionHash: string, data: RoundTripData, options: { bindCookie: boolean }): Promise<string> {
  const state = generateOpaqueToken(32);
  const now = ctx.now();
  await federationStateQueries(ctx.db).insert({
    state_hash: hashSecret(state),
    tenant_id: tenant.id,
    connection_id: connection.id,
    interaction_hash: interactionHash,
    data_jwe: await box(ctx).seal(JSON.stringify(data)),
    created_at: now,
    expires_at: now + ROUND_TRIP_LIFETIME_MS,
    consumed_at: null,
  });
  if (Math.random() < 0.02) await federationStateQueries(ctx.db).deleteExpired(now);
  if (options.bindCookie) setCookie(ctx, reply, tenant, STATE_COOKIE, state, { maxAge: ROUND_TRIP_LIFETIME_MS / 1000 });
  return state;
}

function sameValue(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function checkState(request: FastifyRequest, state: string | undefined, options: { bindCookie: boolean }): asserts state is string {
  if (state === undefined || !/^[A-Za-z0-9_-]{43}$/.test(state)) throw new FederationRefused('state_mismatch', 'The response from the sign-in provider did not carry the expected state.');
  if (options.bindCookie) {
    const cookie = readCookie(request, STATE_COOKIE);
    if (cookie === undefined || !sameValue(cookie, state)) throw new FederationRefused('state_mismatch', 'The response from the sign-in provider does not belong to this browser\'s sign-in.');
  }
}

async function openRow(ctx: Latchkey, tenant: Tenant, connection: Connection, row: FederationStatesTable | undefined): Promise<OpenRoundTrip> {
  if (row === undefined || row.tenant_id !== tenant.id) throw new FederationRefused('state_mismatch', 'This sign-in response is unknown, expired or was already used.');
  if (row.connection_id !== connection.id) throw new FederationRefused('state_mismatch', 'This response was meant for another sign-in provider (mix-up refused).');
  return { ...(JSON.parse(await box(ctx).open(row.data_jwe)) as RoundTripData), interactionHash: row.interaction_hash, createdAt: row.created_at };
}

/** Checks and consumes the state of a callback; everything it refuses changes nothing. */
export async function finishRoundTrip(ctx: Latchkey, request: FastifyRequest, tenant: Tenant, connection: Connection, state: string | undefined, options: { bindCookie: boolean }): Promise<OpenRoundTrip> {
  checkState(request, state, options);
  return openRow(ctx, tenant, connection, await federationStateQueries(ctx.db).consume(hashSecret(state), ctx.now()));
}

/**
 * Reads a round trip without consuming it, used or not. SAML validates the response first and records its
 * assertion id in the shared replay cache, so a replayed response is refused as a replay on every instance;
 * `consumeRoundTrip` then ends the round trip (and refuses a second use of it on its own).
 */
export async function readRoundTrip(ctx: Latchkey, request: FastifyRequest, tenant: Tenant, connection: Connection, state: string | undefined): Promise<OpenRoundTrip> {
  checkState(request, state, { bindCookie: false });
  return openRow(ctx, tenant, connection, await federationStateQueries(ctx.db).findUnexpired(hashSecret(state), ctx.now()));
}

export async function consumeRoundTrip(ctx: Latchkey, state: string): Promise<void> {
  if ((await federationStateQueries(ctx.db).consume(hashSecret(state), ctx.now())) === undefined) throw new FederationRefused('state_mismatch', 'This sign-in response was already used.');
}
