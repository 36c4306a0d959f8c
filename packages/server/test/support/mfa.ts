/**
 * Strong sign-in helpers for tests: walk the hosted pages one step at a time in a cookie-jar "browser" (the
 * second step, enrolment and recovery pages have several forms each), compute TOTP codes the way an
 * authenticator app does, and decode a JWT's claims.
 */
import { TOTP, Secret } from 'otpauth';
import { fetchWithJar, postFormWithJar } from './sign-in.ts';
import type { CookieJar } from './sign-in.ts';
import type { Latchkey } from '../../src/context.ts';
import type { Tenant } from '../../src/db/queries/tenants.ts';
import { userQueries } from '../../src/db/queries/users.ts';
import { beginTotpEnrolment, confirmTotpEnrolment } from '../../src/authentication/factors.ts';
import { regenerateRecoveryCodes } from '../../src/authentication/recovery-codes.ts';

/** Where a step landed: a hosted page (path below the issuer, status, HTML) or the client's redirect URI. */
export type Landing =
  | { readonly page: string; readonly url: URL; readonly status: number; readonly html: string; readonly callback?: undefined }
  | { readonly callback: URL; readonly page?: undefined; readonly status?: undefined; readonly html?: undefined };

/** Follows redirects inside the issuer until a page answers, or the flow reaches `redirectUri`. */
export async function land(jar: CookieJar, response: Response, issuer: string, redirectUri: string): Promise<Landing> {
  let current = response;
  let url = new URL(current.url || issuer);
  for (let hop = 0; hop < 8; hop++) {
    if (current.status !== 303 && current.status !== 302) {
      const path = url.pathname.slice(new URL(issuer).pathname.length + 1);
      return { page: path, url, status: current.status, html: await current.text() };
    }
    url = new URL(current.headers.get('location')!, issuer);
    if (url.href.startsWith(redirectUri) && !url.href.startsWith(`${issuer}/`)) return { callback: url };
    current = await fetchWithJar(jar, url.href);
  }
  throw new Error('too many redirects');
}

export async function open(jar: CookieJar, url: string, issuer: string, redirectUri: string): Promise<Landing> {
  const response = await fetchWithJar(jar, url);
  return land(jar, response, issuer, redirectUri);
}

function decode(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#96);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#96': '`' })[e]!);
}

/** The form of a page whose action ends with `actionSuffix`, with every named input's value. */
export function formWithAction(html: string, actionSuffix: string): { action: string; fields: Record<string, string> } {
  for (const form of html.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)) {
    const action = decode(form[1]!);
    if (!action.endsWith(actionSuffix)) continue;
    const fields: Record<string, string> = {};
    for (const input of form[2]!.matchAll(/<input\b[^>]*>/g)) {
      const name = /\bname="([^"]*)"/.exec(input[0])?.[1];
      const value = /\bvalue="([^"]*)"/.exec(input[0])?.[1] ?? '';
      if (name !== undefined) fields[decode(name)] = decode(value);
    }
    return { action, fields };
  }
  throw new Error(`no form posting to …${actionSuffix} on the page:\n${html.slice(0, 800)}`);
}

/** Posts the page's form for `actionSuffix` with `values` added, and lands. */
export async function submit(jar: CookieJar, landing: Landing, actionSuffix: string, values: Record<string, string>, issuer: string, redirectUri: string): Promise<Landing> {
  if (landing.page === undefined) throw new Error(`expected a page, the flow reached ${landing.callback.href}`);
  const { action, fields } = formWithAction(landing.html, actionSuffix);
  const response = await postFormWithJar(jar, action, { ...fields, ...values });
  return land(jar, response, issuer, redirectUri);
}

/** The first link on the page whose href contains `part`. */
export function linkContaining(html: string, part: string): string {
  for (const match of html.matchAll(/<a href="([^"]*)"/g)) if (decode(match[1]!).includes(part)) return decode(match[1]!);
  throw new Error(`no link containing ${part}:\n${html.slice(0, 800)}`);
}

/** The secret shown on the TOTP enrolment page (grouped by four). */
export function totpSecretOf(html: string): string {
  const match = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(html);
  if (!match) throw new Error('no TOTP secret on the page');
  return match[1]!.replace(/ /g, '');
}

/** The code an authenticator app shows at `at` (default now); `stepOffset` moves by 30-second steps. */
export function totpCode(secret: string, stepOffset = 0, at = Date.now()): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: at + stepOffset * 30_000 });
}

export function recoveryCodesOf(html: string): string[] {
  const list = /<ul class="codes">([\s\S]*?)<\/ul>/.exec(html);
  if (!list) throw new Error('no recovery codes on the page');
  return [...list[1]!.matchAll(/<li>([^<]+)<\/li>/g)].map((m) => m[1]!);
}

export function jwtClaims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The WebAuthn options of the page's passkey form (its `data-options`), as `@simplewebauthn/browser` gets them. */
export function webauthnOptionsOf(html: string): { challenge: string; rpId?: string; rp?: { id: string } } & Record<string, unknown> {
  const match = /<form[^>]*data-options="([^"]*)"/.exec(html);
  if (!match) throw new Error('no passkey form on the page');
  return JSON.parse(decode(match[1]!)) as { challenge: string } & Record<string, unknown>;
}

/**
 * Gives a user an authenticator app and ten recovery codes through the real factor services, for tests whose
 * users must pass a second step (admins under `required_for_admins`); pass the codes to `signIn` as
 * `recoveryCodes`. Returns the TOTP secret too.
 */
export async function enrolSecondFactor(ctx: Latchkey, tenant: Tenant, userId: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  const user = await userQueries(ctx.db).findById(userId);
  if (user === undefined) throw new Error(`no user ${userId}`);
  const enrolment = await beginTotpEnrolment(ctx, tenant, user);
  const confirmed = await confirmTotpEnrolment(ctx, { tenant, user, ip: '10.255.255.1', code: totpCode(enrolment.secret, -1), factorId: enrolment.factorId, name: 'Test phone' });
  if (confirmed.outcome !== 'success') throw new Error('could not enrol the test TOTP factor');
  return { secret: enrolment.secret, recoveryCodes: await regenerateRecoveryCodes(ctx, tenant.id, userId) };
}
