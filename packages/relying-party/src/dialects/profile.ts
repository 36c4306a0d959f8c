/**
 * A person's profile for the `me`/`callback` answers, from the principal's claims and, for people, the IdP's
 * userinfo (which has the names access tokens leave out).
 */
import type { IdpClient } from '../idp/idp-client.ts';
import type { Principal } from '../principal.ts';

export interface Profile {
  readonly email: string | null;
  readonly first_name: string | null;
  readonly last_name: string | null;
  readonly display_name: string | null;
  readonly username: string | null;
  readonly status: string;
  readonly role: string | null;
  readonly claims: Readonly<Record<string, unknown>>;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/**
 * @example const profile = await loadProfile(idp, principal, accessToken);
 */
export async function loadProfile(idp: IdpClient | undefined, principal: Principal, credential: string | undefined): Promise<Profile> {
  let claims: Record<string, unknown> = { ...principal.claims };
  if (idp && credential && principal.kind !== 'api_key') {
    const info = await idp.userinfo(credential).catch(() => undefined);
    if (info && info.sub === principal.sub) claims = { ...claims, ...info };
  }
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
  const first = text(claims.given_name) ?? text(claims.first_name);
  const last = text(claims.family_name) ?? text(claims.last_name);
  const username = text(claims.preferred_username);
  return {
    email: text(claims.email) ?? principal.email,
    first_name: first,
    last_name: last,
    display_name: text(claims.name) ?? text(claims.display_name) ?? ([first, last].filter(Boolean).join(' ') || username),
    username,
    status: text(claims.status) ?? 'active',
    role: text(claims.role) ?? roles[0] ?? null,
    claims,
  };
}

/** The raw bearer credential of a request (after the verifier accepted it). */
export function credentialOf(request: Request): string | undefined {
  return /^Bearer +(\S+)/i.exec(request.headers.get('authorization') ?? '')?.[1];
}
