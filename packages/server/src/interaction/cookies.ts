/**
 * The hosted pages' cookies: scoped to the tenant's issuer path (`/t/<slug>`), `HttpOnly`, `SameSite=Lax`, and
 * `Secure` whenever the base URL is https.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';

export const SESSION_COOKIE = 'lk_session';
export const CSRF_COOKIE = 'lk_csrf';
export const LAST_LOGIN_COOKIE = 'lk_last_login';

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{1,200}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

export interface CookieOptions {
  /** Seconds; undefined for a cookie that lasts the browser session, 0 to delete. */
  readonly maxAge?: number;
}

/** The Set-Cookie value: scoped to the issuer path, HttpOnly, SameSite=Lax, Secure over https. */
export function serializeCookie(name: string, value: string, options: CookieOptions & { path: string; secure: boolean }): string {
  const attributes = [`${name}=${value}`, `Path=${options.path}`, 'HttpOnly', 'SameSite=Lax'];
  if (options.secure) attributes.push('Secure');
  if (options.maxAge !== undefined) attributes.push(`Max-Age=${options.maxAge}`);
  return attributes.join('; ');
}

export function setCookie(ctx: Latchkey, reply: FastifyReply, tenant: Tenant, name: string, value: string, options: CookieOptions = {}): void {
  const cookie = serializeCookie(name, value, { ...options, path: `/t/${tenant.slug}`, secure: ctx.config.secureCookies });
  const existing = reply.getHeader('Set-Cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  reply.header('Set-Cookie', [...list.filter((c) => !c.startsWith(`${name}=`)), cookie]);
}

export function clearCookie(ctx: Latchkey, reply: FastifyReply, tenant: Tenant, name: string): void {
  setCookie(ctx, reply, tenant, name, '', { maxAge: 0 });
}
