/**
 * Signs the demo user in through Latchkey's hosted pages without a browser: follows redirects, keeps cookies,
 * fills the login form (the password field and the login/email/username field) and approves consent, until
 * the IdP redirects to the client's redirect URI. Replay tests use it to get authorization codes.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Demo } from '../../src/start-demo.ts';

const decode = (text: string) => text.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

function attributes(tag: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const match of tag.matchAll(/([a-zA-Z_:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/g)) found[(match[1] as string).toLowerCase()] = decode(match[2] ?? match[3] ?? match[4] ?? '');
  return found;
}

interface FilledForm {
  readonly action: string;
  readonly fields: URLSearchParams;
}

const APPROVE = /allow|approve|accept|consent|authori[sz]e|continue|grant|yes/i;

function fillForm(html: string, pageUrl: string, login: string, password: string): FilledForm | undefined {
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)];
  const scored = forms
    .map((match) => ({ attrs: attributes(match[1] as string), inner: match[2] as string }))
    .filter((form) => (form.attrs.method ?? 'get').toLowerCase() === 'post')
    .sort((a, b) => Number(/type\s*=\s*["']?password/i.test(b.inner)) - Number(/type\s*=\s*["']?password/i.test(a.inner)) || Number(APPROVE.test(b.inner)) - Number(APPROVE.test(a.inner)));
  const form = scored[0];
  if (!form) return undefined;
  const fields = new URLSearchParams();
  for (const match of form.inner.matchAll(/<input\b[^>]*>/gi)) {
    const input = attributes(match[0]);
    if (!input.name) continue;
    const type = (input.type ?? 'text').toLowerCase();
    if (type === 'password') fields.set(input.name, password);
    else if (/^(login|username|email|identifier|user)$/i.test(input.name)) fields.set(input.name, login);
    else if ((type === 'checkbox' || type === 'radio') && input.checked === undefined) continue;
    else if (type !== 'submit') fields.set(input.name, input.value ?? '');
  }
  const buttons = [...form.inner.matchAll(/<(?:button|input)\b[^>]*type\s*=\s*["']?submit[^>]*>(?:([\s\S]*?)<\/button>)?/gi)]
    .map((match) => ({ attrs: attributes(match[0]), label: match[1] ?? '' }))
    .filter((button) => button.attrs.name);
  const approve = buttons.find((button) => APPROVE.test(`${button.attrs.value ?? ''} ${button.label}`)) ?? buttons[0];
  if (approve?.attrs.name) fields.set(approve.attrs.name, approve.attrs.value ?? '');
  return { action: new URL(form.attrs.action ?? pageUrl, pageUrl).href, fields };
}

/** Follows the hosted sign-in from `startUrl` until the redirect to `redirectUri`; returns that URL. */
export async function followSignIn(startUrl: string, redirectUri: string, login: string, password: string): Promise<URL> {
  const cookies = new Map<string, string>();
  let url = startUrl;
  let init: RequestInit = {};
  for (let step = 0; step < 15; step++) {
    const headers = new Headers(init.headers);
    if (cookies.size > 0) headers.set('cookie', [...cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const index = (pair ?? '').indexOf('=');
      if (index > 0) cookies.set((pair as string).slice(0, index).trim(), (pair as string).slice(index + 1).trim());
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url);
      if (next.href.startsWith(redirectUri)) return next;
      url = next.href;
      init = {};
      continue;
    }
    const html = await response.text();
    const filled = response.status === 200 ? fillForm(html, url, login, password) : undefined;
    if (!filled) throw new Error(`hosted sign-in stopped at ${url} with ${response.status}: ${html.slice(0, 300)}`);
    url = filled.action;
    init = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(url).origin }, body: filled.fields.toString() };
  }
  throw new Error('hosted sign-in did not finish within 15 steps');
}

export interface CodeRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  /** Default: a fresh PKCE pair is made and its verifier returned. */
  readonly pkce?: boolean;
}

export interface IssuedCode {
  readonly code: string;
  readonly state: string;
  readonly codeVerifier: string | undefined;
  readonly redirect: URL;
}

/** An authorization code for the demo user, through the hosted pages. */
export async function authorizationCode(demo: Demo, request: CodeRequest): Promise<IssuedCode> {
  const state = randomBytes(16).toString('base64url');
  const verifier = request.pkce === false ? undefined : randomBytes(32).toString('base64url');
  const url = new URL(`${demo.seed.issuer}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    scope: request.scope,
    state,
    ...(verifier === undefined ? {} : { code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' }),
  }).toString();
  const redirect = await followSignIn(url.href, request.redirectUri, demo.seed.user.email, demo.seed.user.password);
  const code = redirect.searchParams.get('code');
  if (!code) throw new Error(`no code in ${redirect.href}`);
  if (redirect.searchParams.get('state') !== state) throw new Error('state mismatch');
  return { code, state, codeVerifier: verifier, redirect };
}
