/**
 * Browser-less sign-in for tests: drives `authorize → sign-in form (with its CSRF token) → consent → redirect
 * with a code` using plain fetch and a cookie jar, exactly as a browser without JavaScript would. Reusable by any
 * test that needs a signed-in user's tokens (scale-out, benchmarks, hardening).
 *
 * @example
 * const result = await signIn({ issuer, clientId, redirectUri, login: 'ada@example.com', password: 'correct horse' });
 * const tokens = await exchangeCode({ issuer, clientId, clientSecret, redirectUri, code: result.code!, codeVerifier: result.pkce.verifier });
 *
 * Reuse `result.jar` for a second authorization in the same "browser" (single sign-on, `prompt=none`, logout).
 * `followAuthorization(url, ...)` walks the same pages for an authorization URL that a relying-party library built.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A minimal cookie jar: name, value and path; honours `Max-Age=0` deletions. One host only (tests use 127.0.0.1). */
export class CookieJar {
  readonly #cookies = new Map<string, { value: string; path: string }>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const path = attributes.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      const maxAge = attributes.find((a) => /^max-age=/i.test(a));
      if (value === '' || maxAge?.toLowerCase() === 'max-age=0') this.#cookies.delete(name);
      else this.#cookies.set(name, { value, path });
    }
  }

  /** The Cookie header for a URL (path-matched as RFC 6265 §5.1.4 says). */
  header(url: string): string | undefined {
    const path = new URL(url).pathname;
    const matching = [...this.#cookies].filter(([, c]) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`));
    return matching.length === 0 ? undefined : matching.map(([name, c]) => `${name}=${c.value}`).join('; ');
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name)?.value;
  }

  delete(name: string): void {
    this.#cookies.delete(name);
  }
}

/** fetch that sends and stores cookies and never follows redirects. */
export async function fetchWithJar(jar: CookieJar, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const cookie = jar.header(url);
  if (cookie !== undefined) headers.set('cookie', cookie);
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  jar.store(response);
  return response;
}

export function postFormWithJar(jar: CookieJar, url: string, fields: Record<string, string>): Promise<Response> {
  return fetchWithJar(jar, url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
}

export interface Pkce {
  readonly verifier: string;
  readonly challenge: string;
}

export function createPkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The first form of a page: its action and every named input's value (hidden fields, prefilled values). */
export function readForm(html: string): { action: string; fields: Record<string, string> } {
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error(`no form on the page:\n${html.slice(0, 500)}`);
  const fields: Record<string, string> = {};
  for (const input of form[2]!.matchAll(/<input\b[^>]*>/g)) {
    const name = /\bname="([^"]*)"/.exec(input[0])?.[1];
    const value = /\bvalue="([^"]*)"/.exec(input[0])?.[1] ?? '';
    if (name !== undefined) fields[decodeEntities(name)] = decodeEntities(value);
  }
  return { action: decodeEntities(form[1]!), fields };
}

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#96);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#96': '`' })[e]!);
}

export interface AuthorizationOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly redirectUri: string;
  /** Default `openid profile email offline_access`. */
  readonly scope?: string;
  readonly state?: string;
  readonly nonce?: string;
  /** A PKCE pair (default: a fresh one), or false to send no code_challenge. */
  readonly pkce?: Pkce | false;
  /** More authorization parameters (`prompt`, `max_age`, `login_hint`, `response_mode`, …). */
  readonly extra?: Readonly<Record<string, string>>;
}

export function authorizationUrl(options: AuthorizationOptions, pkce: Pkce | undefined, state: string, nonce: string): string {
  const url = new URL(`${options.issuer}/oauth2/authorize`);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', options.clientId);
  url.searchParams.set('redirect_uri', options.redirectUri);
  url.searchParams.set('scope', options.scope ?? 'openid profile email offline_access');
  url.searchParams.set('state', state);
  url.searchParams.set('nonce', nonce);
  if (pkce) {
    url.searchParams.set('code_challenge', pkce.challenge);
    url.searchParams.set('code_challenge_method', 'S256');
  }
  for (const [name, value] of Object.entries(options.extra ?? {})) url.searchParams.set(name, value);
  return url.href;
}

/** Where the hosted pages should take an authorization, and how to answer them. */
export interface HostedPagesOptions {
  readonly issuer: string;
  readonly redirectUri: string;
  /** Credentials for the sign-in form; omit when the jar already holds a session (single sign-on). */
  readonly login?: string;
  readonly password?: string;
  /** What to answer on the consent page (default allow). */
  readonly consent?: 'allow' | 'deny';
  /** The "browser": reuse one to keep its session between sign-ins. */
  readonly jar?: CookieJar;
  /**
   * For users who must use a second factor (an admin under `mfa.required_for_admins`, policy `required`):
   * recovery codes (from `enrolSecondFactor` in mfa.ts), one taken off the front each time the second step asks.
   */
  readonly recoveryCodes?: string[];
}

export interface SignInOptions extends AuthorizationOptions, HostedPagesOptions {}

export interface HostedPagesResult {
  /** The redirect back to the client, with `code` or `error`, `state` and `iss`. */
  readonly callback: URL;
  readonly jar: CookieJar;
  /** Which hosted pages were shown, in order (`login`, `consent`). */
  readonly pages: readonly string[];
}

export interface SignInResult extends HostedPagesResult {
  readonly code: string | undefined;
  readonly error: string | undefined;
  readonly state: string;
  readonly nonce: string;
  readonly pkce: Pkce;
}

/** Thrown when the flow stops on a page instead of reaching the client (wrong password, lockout, error page). */
export class SignInStopped extends Error {
  override name = 'SignInStopped';
  readonly status: number;
  readonly body: string;
  constructor(status: number, body: string) {
    super(`sign-in stopped with HTTP ${status}: ${/<p class="alert"[^>]*>([^<]*)</.exec(body)?.[1] ?? body.slice(0, 200)}`);
    this.status = status;
    this.body = body;
  }
}

/**
 * Follows an authorization URL that someone else built (a relying-party library, say) through the hosted pages
 * until it lands at the client's redirect URI, and returns that callback untouched for the caller to validate.
 */
export async function followAuthorization(url: string | URL, options: HostedPagesOptions): Promise<HostedPagesResult> {
  const jar = options.jar ?? new CookieJar();
  const pages: string[] = [];
  let response = await fetchWithJar(jar, String(url));
  for (let hop = 0; hop < 8; hop++) {
    if (response.status !== 303 && response.status !== 302) throw new SignInStopped(response.status, await response.text());
    const location = new URL(response.headers.get('location')!, options.issuer);
    if (location.href.startsWith(options.redirectUri) && !location.href.startsWith(`${options.issuer}/`)) return { callback: location, jar, pages };
    const page = await fetchWithJar(jar, location.href);
    const html = await page.text();
    if (page.status !== 200) throw new SignInStopped(page.status, html);
    const { action, fields } = readForm(html);
    if (location.pathname.endsWith('/login')) {
      pages.push('login');
      if (options.login === undefined || options.password === undefined) throw new Error('the sign-in page was shown but no login/password was given');
      response = await postFormWithJar(jar, action, { ...fields, login: options.login, password: options.password, action: 'sign_in' });
    } else if (location.pathname.endsWith('/mfa') && options.recoveryCodes !== undefined && options.recoveryCodes.length > 0) {
      pages.push('mfa');
      const recovery = [...html.matchAll(/<form[^>]*action="([^"]*\/mfa\/recovery)"[^>]*>([\s\S]*?)<\/form>/g)][0];
      if (!recovery) throw new Error(`the second step offers no recovery code:\n${html.slice(0, 500)}`);
      const { fields: recoveryFields } = readForm(recovery[0]);
      const used = await postFormWithJar(jar, decodeEntities(recovery[1]!), { ...recoveryFields, recovery_code: options.recoveryCodes.shift()! });
      const notice = await used.text();
      if (used.status !== 200) throw new SignInStopped(used.status, notice);
      const next = /<a href="([^"]*\/mfa\?interaction=[^"]*)"/.exec(notice);
      if (!next) throw new Error('no way on after the recovery code');
      response = await fetchWithJar(jar, decodeEntities(next[1]!));
    } else if (location.pathname.endsWith('/consent')) {
      pages.push('consent');
      response = await postFormWithJar(jar, action, { ...fields, decision: options.consent ?? 'allow' });
    } else {
      throw new Error(`unexpected page ${location.href}`);
    }
  }
  throw new Error('too many redirects');
}

/** Runs a whole authorization in a cookie-jar "browser" and returns where it lands at the client. */
export async function signIn(options: SignInOptions): Promise<SignInResult> {
  const pkce = options.pkce === false ? undefined : (options.pkce ?? createPkce());
  const state = options.state ?? randomBytes(12).toString('base64url');
  const nonce = options.nonce ?? randomBytes(12).toString('base64url');
  const { callback, jar, pages } = await followAuthorization(authorizationUrl(options, pkce, state, nonce), options);
  return {
    callback,
    code: callback.searchParams.get('code') ?? undefined,
    error: callback.searchParams.get('error') ?? undefined,
    state,
    nonce,
    pkce: pkce ?? { verifier: '', challenge: '' },
    jar,
    pages,
  };
}

export interface CodeExchange {
  readonly issuer: string;
  readonly clientId: string;
  /** Omit for a public client. */
  readonly clientSecret?: string;
  readonly redirectUri: string;
  readonly code: string;
  readonly codeVerifier?: string;
}

/** POSTs the code to the token endpoint (client_secret_post, or client_id only for public clients). */
export async function exchangeCode(exchange: CodeExchange): Promise<Response> {
  const fields: Record<string, string> = { grant_type: 'authorization_code', code: exchange.code, redirect_uri: exchange.redirectUri, client_id: exchange.clientId };
  if (exchange.clientSecret !== undefined) fields.client_secret = exchange.clientSecret;
  if (exchange.codeVerifier) fields.code_verifier = exchange.codeVerifier;
  return fetch(`${exchange.issuer}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
}

/** Signs in and exchanges the code: the token response of a freshly signed-in user. */
export async function signInForTokens(options: SignInOptions & { clientSecret?: string }): Promise<{ tokens: Record<string, unknown>; result: SignInResult }> {
  const result = await signIn(options);
  if (result.code === undefined) throw new Error(`authorization failed: ${result.callback.href}`);
  const response = await exchangeCode({ ...options, code: result.code, codeVerifier: result.pkce.verifier });
  const tokens = (await response.json()) as Record<string, unknown>;
  if (response.status !== 200) throw new Error(`code exchange failed: ${JSON.stringify(tokens)}`);
  return { tokens, result };
}
