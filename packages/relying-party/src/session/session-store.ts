/**
 * The same-origin session (seed 000: product UIs call their own back end with cookies): the tokens live in an
 * encrypted, `HttpOnly` cookie, so the browser's scripts never see them and any instance can serve the session.
 */
import type { TokenSet } from '../idp/idp-client.ts';
import { randomToken } from '../idp/pkce.ts';
import { createSealer } from '../http/sealer.ts';
import { readCookie, serializeCookie } from './cookies.ts';

export interface Session {
  readonly accessToken: string;
  readonly refreshToken: string | null;
  /** Epoch ms at which the access token expires. */
  readonly expiresAt: number;
  /** The synchronizer token unsafe requests must echo in `X-CSRF-Token`. */
  readonly csrf: string;
}

export interface SessionCookieOptions {
  /** At least 32 characters; encrypts the cookie. */
  readonly secret: string;
  readonly cookieName?: string;
  /** Send the cookie only over HTTPS (default true; turn off only for loopback development). */
  readonly secure?: boolean;
  /** How long a session lives without use (default 8 hours). */
  readonly maxAgeSeconds?: number;
  readonly now?: () => number;
}

export interface SessionCookies {
  read(request: Request): Session | undefined;
  /** The `Set-Cookie` value that stores a session. */
  write(session: Session): string;
  clear(): string;
  fromTokens(tokens: TokenSet, previous?: Session): Session;
}

/**
 * @example
 * const sessions = createSessionCookies({ secret: process.env.SESSION_SECRET });
 * const session = sessions.read(request);
 */
export function createSessionCookies(options: SessionCookieOptions): SessionCookies {
  const sealer = createSealer(options.secret, 'session', options.now);
  const name = options.cookieName ?? 'lk_session';
  const secure = options.secure ?? true;
  const maxAge = options.maxAgeSeconds ?? 8 * 3600;
  const now = options.now ?? Date.now;
  return {
    read(request) {
      const raw = readCookie(request, name);
      return raw === undefined ? undefined : sealer.open<Session>(raw);
    },
    write: (session) => serializeCookie(name, sealer.seal(session, maxAge), { secure, maxAgeSeconds: maxAge }),
    clear: () => serializeCookie(name, '', { secure, maxAgeSeconds: 0 }),
    fromTokens(tokens, previous) {
      return {
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token ?? previous?.refreshToken ?? null,
        expiresAt: now() + tokens.expires_in * 1000,
        csrf: previous?.csrf ?? randomToken(),
      };
    },
  };
}
