/**
 * What an upstream said about the user, in one shape for every protocol (OIDC claims, GitHub's API, SAML
 * attributes), read through the connection's claim mapping.
 */
import type { ClaimMapping } from './connections.ts';

export interface UpstreamTokens {
  readonly access_token: string;
  readonly token_type: string | null;
  readonly refresh_token: string | null;
  readonly id_token: string | null;
  readonly expires_at: string | null;
  readonly scope: string | null;
}

export interface UpstreamProfile {
  /** The upstream's stable subject; links are keyed by (connection, subject). */
  readonly subject: string;
  readonly email: string | undefined;
  /** Only an explicit `true` from the upstream counts (OIDC `email_verified`, GitHub `verified`). */
  readonly emailVerified: boolean;
  readonly givenName: string | undefined;
  readonly familyName: string | undefined;
  readonly name: string | undefined;
  readonly groups: readonly string[];
  /** The upstream's own `amr` and `acr` (RFC 8176), recorded with the sign-in. */
  readonly amr: readonly string[];
  readonly acr: string | undefined;
  readonly tokens?: UpstreamTokens;
}

function text(value: unknown, max = 320): string | undefined {
  if (Array.isArray(value)) return text(value[0], max);
  return typeof value === 'string' && value.trim() !== '' && value.length <= max ? value.trim() : undefined;
}

function texts(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.filter((v): v is string => typeof v === 'string' && v.length > 0 && v.length <= 300).slice(0, 500);
}

/** Reads mapped claims from a flat record (ID token + userinfo, or SAML attributes). */
export function profileFromClaims(subject: string, claims: Readonly<Record<string, unknown>>, mapping: ClaimMapping): Omit<UpstreamProfile, 'tokens'> {
  const verified = claims[mapping.email_verified];
  return {
    subject,
    email: text(claims[mapping.email]),
    emailVerified: verified === true || verified === 'true',
    givenName: text(claims[mapping.given_name], 200),
    familyName: text(claims[mapping.family_name], 200),
    name: text(claims[mapping.name], 200),
    groups: texts(claims[mapping.groups]),
    amr: texts(claims.amr),
    acr: text(claims.acr, 300),
  };
}
