/**
 * The sign-in page remembers the login this browser last signed in with (a `lk_last_login` cookie on the
 * tenant's path, HttpOnly, a year), so returning users only type their password. `login_hint` wins over it.
 * Only the login the user typed is kept, and only after it signed in successfully (no enumeration aid).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { LAST_LOGIN_COOKIE, readCookie, setCookie } from './cookies.ts';

const ONE_YEAR = 365 * 86400;

export function readLastLogin(request: FastifyRequest): string | undefined {
  const value = readCookie(request, LAST_LOGIN_COOKIE);
  if (value === undefined) return undefined;
  const login = Buffer.from(value, 'base64url').toString('utf8');
  return login.trim() === '' || login.length > 140 ? undefined : login;
}

export function rememberLastLogin(ctx: Latchkey, reply: FastifyReply, tenant: Tenant, login: string): void {
  // readCookie accepts at most 200 base64url characters: 150 bytes.
  if (Buffer.byteLength(login) > 140) return;
  setCookie(ctx, reply, tenant, LAST_LOGIN_COOKIE, Buffer.from(login, 'utf8').toString('base64url'), { maxAge: ONE_YEAR });
}
