/**
 * Authentication methods and levels. `amr` values come from RFC 8176 §2 (`pwd`, `otp`, `hwk`, `swk`, `user`,
 * `mfa`); `acr` (OpenID Connect Core §2) is one of three levels, weakest first:
 *  - `urn:latchkey:acr:password`: one knowledge factor;
 *  - `urn:latchkey:acr:mfa`: two factors (password + code, or a passkey verified with the user's PIN/biometric);
 *  - `phr`: phishing-resistant (OpenID EAP ACR Values §3.1), i.e. a passkey was used.
 */
export const ACR_PASSWORD = 'urn:latchkey:acr:password';
export const ACR_MFA = 'urn:latchkey:acr:mfa';
export const ACR_PHISHING_RESISTANT = 'phr';

export const ACR_VALUES_SUPPORTED = [ACR_PASSWORD, ACR_MFA, ACR_PHISHING_RESISTANT] as const;
export type Acr = (typeof ACR_VALUES_SUPPORTED)[number];

const RANK: Record<Acr, number> = { [ACR_PASSWORD]: 0, [ACR_MFA]: 1, [ACR_PHISHING_RESISTANT]: 2 };

export function isAcr(value: string): value is Acr {
  return Object.hasOwn(RANK, value);
}

/** The factor families that count towards a level: a knowledge factor, a code, a passkey. */
const KNOWLEDGE = new Set(['pwd']);
const POSSESSION = new Set(['otp', 'hwk', 'swk']);

/** Adds `mfa` when the set holds two different kinds of factor (RFC 8176 §2: "multiple-factor authentication"). */
export function withMfa(amr: readonly string[]): string[] {
  const base = [...new Set(amr.filter((value) => value !== 'mfa'))];
  // A sign-in at an upstream identity provider (`fed`, issue 18) is the first factor of a federated session.
  const knowledge = base.some((v) => KNOWLEDGE.has(v)) || base.includes('user') || base.includes('fed');
  const possession = base.some((v) => POSSESSION.has(v));
  return knowledge && possession ? [...base, 'mfa'] : base;
}

/** The level a set of `amr` values reaches. */
export function acrOf(amr: readonly string[]): Acr {
  if (!amr.includes('mfa')) return ACR_PASSWORD;
  return amr.includes('hwk') || amr.includes('swk') ? ACR_PHISHING_RESISTANT : ACR_MFA;
}

/** Whether `achieved` meets `required` (a higher level meets every lower one). */
export function acrSatisfies(achieved: Acr, required: Acr): boolean {
  return RANK[achieved] >= RANK[required];
}

/** The strongest of several required levels. */
export function strongestAcr(levels: readonly Acr[]): Acr {
  return levels.reduce<Acr>((best, level) => (RANK[level] > RANK[best] ? level : best), ACR_PASSWORD);
}

/** Reads the stored JSON list; rows older than strong sign-in were password sign-ins. */
export function parseAmr(json: string | null): string[] {
  if (json === null) return ['pwd'];
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : ['pwd'];
  } catch {
    return ['pwd'];
  }
}
