/** Reading and writing cookies on web-standard requests and responses (RFC 6265 §4.1). */

export interface CookieOptions {
  readonly maxAgeSeconds?: number;
  readonly path?: string;
  readonly secure: boolean;
  readonly sameSite?: 'Lax' | 'Strict';
}

/**
 * @example readCookie(request, 'lk_session')
 */
export function readCookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

/**
 * An `HttpOnly` `Set-Cookie` value; `maxAgeSeconds: 0` clears the cookie.
 * @example headers.append('set-cookie', serializeCookie('lk_session', sealed, { secure: true }));
 */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${value}`, `Path=${options.path ?? '/'}`, 'HttpOnly', `SameSite=${options.sameSite ?? 'Lax'}`];
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
