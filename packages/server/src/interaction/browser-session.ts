/**
 * The browser session of a tenant: the single sign-on state behind the `lk_session` cookie. The cookie holds a
 * random value; the database holds its SHA-256 with the user, `auth_time` and the public session id (`sid`).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import { sessionQueries } from '../db/queries/sessions.ts';
import type { BrowserSession } from '../db/queries/sessions.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { generateOpaqueToken, hashSecret } from '../tokens/opaque.ts';
import { newId } from '../util/ids.ts';
import { clearCookie, readCookie, SESSION_COOKIE, setCookie } from './cookies.ts';

export async function currentSession(ctx: Latchkey, request: FastifyRequest, tenant: Tenant): Promise<BrowserSession | undefined> {
  const cookie = readCookie(request, SESSION_COOKIE);
  if (cookie === undefined) return undefined;
  return sessionQueries(ctx.db).findLive(tenant.id, hashSecret(cookie), ctx.now());
}

/**
 * Records a successful sign-in. The same user signing in again (`prompt=login`, `max_age`) keeps the session id
 * with a later `auth_time` and only the factors of this sign-in (`amr`, RFC 8176); anyone else gets a new session and the old one ends. The cookie value is always new
 * (no session fixation).
 */
export async function startSession(ctx: Latchkey, reply: FastifyReply, tenant: Tenant, userId: string, replaces?: BrowserSession, amr: readonly string[] = ['pwd']): Promise<BrowserSession> {
  const now = ctx.now();
  const cookie = generateOpaqueToken(32);
  const lifetime = ctx.config.sessionLifetime;
  const queries = sessionQueries(ctx.db);
  let session: BrowserSession;
  if (replaces !== undefined && replaces.user_id === userId && (await queries.reauthenticate(replaces.id, hashSecret(cookie), now, now + lifetime * 1000, JSON.stringify(amr)))) {
    session = { ...replaces, token_hash: hashSecret(cookie), auth_time: now, expires_at: now + lifetime * 1000, amr: JSON.stringify(amr), factor_time: null };
  } else {
    session = {
      id: newId('ses', now),
      tenant_id: tenant.id,
      user_id: userId,
      token_hash: hashSecret(cookie),
      auth_time: now,
      created_at: now,
      expires_at: now + lifetime * 1000,
      ended_at: null,
      amr: JSON.stringify(amr),
      factor_time: null,
    };
    await queries.insert(session);
    if (replaces !== undefined) await queries.end(replaces.id, now);
  }
  setCookie(ctx, reply, tenant, SESSION_COOKIE, cookie, { maxAge: lifetime });
  return session;
}

export async function endSession(ctx: Latchkey, reply: FastifyReply, tenant: Tenant, session: BrowserSession | undefined): Promise<void> {
  if (session !== undefined) await sessionQueries(ctx.db).end(session.id, ctx.now());
  clearCookie(ctx, reply, tenant, SESSION_COOKIE);
}
