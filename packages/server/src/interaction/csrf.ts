/**
 * CSRF protection for every hosted form: a random per-browser cookie (`lk_csrf`) and, in each form, an HMAC of
 * that cookie, the form's purpose and the interaction it belongs to, under a key derived from LATCHKEY_SECRET.
 * A cross-site page can neither read the cookie nor compute the token, so it cannot forge a submission; and the
 * token works on every instance (no server-side state).
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { AccessDenied, assert } from '../errors/oauth-error.ts';
import { generateOpaqueToken } from '../tokens/opaque.ts';
import { CSRF_COOKIE, readCookie, setCookie } from './cookies.ts';

export const CSRF_FIELD = 'csrf_token';

const keys = new WeakMap<Latchkey, Buffer>();

function keyFor(ctx: Latchkey): Buffer {
  let key = keys.get(ctx);
  if (key === undefined) {
    key = Buffer.from(hkdfSync('sha256', ctx.masterSecret, 'latchkey', 'csrf-tokens', 32));
    keys.set(ctx, key);
  }
  return key;
}

function tokenFor(ctx: Latchkey, browserSecret: string, purpose: string, binding: string): string {
  return createHmac('sha256', keyFor(ctx)).update(`${browserSecret}|${purpose}|${binding}`).digest('base64url');
}

/** The CSRF token for a form, setting the browser's CSRF cookie first if it has none. */
export function issueCsrfToken(ctx: Latchkey, request: FastifyRequest, reply: FastifyReply, tenant: Tenant, purpose: string, binding: string): string {
  let browserSecret = readCookie(request, CSRF_COOKIE);
  if (browserSecret === undefined) {
    browserSecret = generateOpaqueToken(32);
    setCookie(ctx, reply, tenant, CSRF_COOKIE, browserSecret);
  }
  return tokenFor(ctx, browserSecret, purpose, binding);
}

/** Makes sure the browser has a CSRF cookie before it reaches a form (set on the authorization request). */
export function ensureCsrfCookie(ctx: Latchkey, request: FastifyRequest, reply: FastifyReply, tenant: Tenant): void {
  if (readCookie(request, CSRF_COOKIE) === undefined) setCookie(ctx, reply, tenant, CSRF_COOKIE, generateOpaqueToken(32));
}

export function verifyCsrfToken(ctx: Latchkey, request: FastifyRequest, presented: string | undefined, purpose: string, binding: string): void {
  const browserSecret = readCookie(request, CSRF_COOKIE);
  const problem = new AccessDenied('the form has expired or was not sent by this browser; go back, reload the page and try again');
  assert(browserSecret !== undefined && presented !== undefined && presented !== '', problem);
  const expected = Buffer.from(tokenFor(ctx, browserSecret, purpose, binding));
  const actual = Buffer.from(presented);
  assert(actual.length === expected.length && timingSafeEqual(actual, expected), problem);
}
