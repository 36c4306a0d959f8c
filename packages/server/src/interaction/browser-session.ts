/**
 * The browser session of a tenant: the single sign-on state behind the `lk_session` cookie. The cookie holds a
 * random value; the database holds its SHA-256 with the user, `auth_time` and the public session id (`sid`).
 *
 * A session ends `session_idle_timeout` after its last use and `session_max_lifetime` after sign-in (tenant
 * settings; the second also capped by LATCHKEY_SESSION_LIFETIME_SECONDS). `expires_at` is the idle deadline:
 * each use moves it to a full idle timeout from now, but only when that moves it by a minute or more, so a busy
 * session costs one write a minute, not one per request.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import { sessionQueries } from '../db/queries/sessions.ts';
import type { BrowserSession } from '../db/queries/sessions.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { generateOpaqueToken, hashSecret } from '../tokens/opaque.ts';
import { newId } from '../util/ids.ts';
import { clearCookie, readCookie, SESSION_COOKIE, setCookie } from './cookies.ts';

/** Writes of the idle deadline are skipped while they would move it by less than this. */
const TOUCH_GRANULARITY_MS = 60_000;

/** How long after sign-in a session may last at most (seconds). */
function maxLifetime(ctx: Latchkey, tenant: Tenant): number {
  return Math.min(tenant.settings.session_max_lifetime, ctx.config.sessionLifetime);
}

/** The idle deadline of a session used at `now`: a full idle timeout ahead, never past the absolute end. */
function idleDeadline(ctx: Latchkey, tenant: Tenant, authTime: number, now: number): number {
  return Math.min(now + tenant.settings.session_idle_timeout * 1000, authTime + maxLifetime(ctx, tenant) * 1000);
}

export async function currentSession(ctx: Latchkey, request: FastifyRequest, tenant: Tenant): Promise<BrowserSession | undefined> {
  const cookie = readCookie(request, SESSION_COOKIE);
  if (cookie === undefined) return undefined;
  const now = ctx.now();
  const queries = sessionQueries(ctx.db);
  const session = await queries.findLive(tenant.id, hashSecret(cookie), now);
  if (session === undefined) return undefined;
  // The absolute end as the tenant sets it now (a shorter setting applies at once).
  if (session.auth_time + maxLifetime(ctx, tenant) * 1000 <= now) return undefined;
  const deadline = idleDeadline(ctx, tenant, session.auth_time, now);
  if (deadline - session.expires_at < TOUCH_GRANULARITY_MS) return session;
  await queries.extend(session.id, deadline);
  return { ...session, expires_at: deadline };
}

/**
 * Records a successful sign-in. The same user signing in again (`prompt=login`, `max_age`) keeps the session id
 * with a later `auth_time` and only the factors of this sign-in (`amr`, RFC 8176); anyone else gets a new
 * session and the old one ends. The cookie value is always new (no session fixation).
 */
export async function startSession(ctx: Latchkey, reply: FastifyReply, tenant: Tenant, userId: string, replaces?: BrowserSession, amr: readonly string[] = ['pwd']): Promise<BrowserSession> {
  const now = ctx.now();
  const cookie = generateOpaqueToken(32);
  const expiresAt = idleDeadline(ctx, tenant, now, now);
  const queries = sessionQueries(ctx.db);
  let session: BrowserSession;
  if (replaces !== undefined && replaces.user_id === userId && (await queries.reauthenticate(replaces.id, hashSecret(cookie), now, expiresAt, JSON.stringify(amr)))) {
    session = { ...replaces, token_hash: hashSecret(cookie), auth_time: now, expires_at: expiresAt, amr: JSON.stringify(amr), factor_time: null };
  } else {
    session = {
      id: newId('ses', now),
      tenant_id: tenant.id,
      user_id: userId,
      token_hash: hashSecret(cookie),
      auth_time: now,
      created_at: now,
      expires_at: expiresAt,
      ended_at: null,
      amr: JSON.stringify(amr),
      factor_time: null,
      // For the account page's list of sessions (issue 16).
      ip: reply.request.ip,
      user_agent: (reply.request.headers['user-agent'] ?? '').slice(0, 300) || null,
    };
    await queries.insert(session);
    if (replaces !== undefined) await queries.end(replaces.id, now);
  }
  // The cookie may live as long as the session could; the server decides when it is idle.
  setCookie(ctx, reply, tenant, SESSION_COOKIE, cookie, { maxAge: maxLifetime(ctx, tenant) });
  return session;
}

export async function endSession(ctx: Latchkey, reply: FastifyReply, tenant: Tenant, session: BrowserSession | undefined): Promise<void> {
  if (session !== undefined) await sessionQueries(ctx.db).end(session.id, ctx.now());
  clearCookie(ctx, reply, tenant, SESSION_COOKIE);
}
