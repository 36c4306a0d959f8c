/**
 * The tenant settings of self-service accounts (issue 16), merged and checked like the rest of the settings:
 * - `features.auth.registration_enabled` (default false): the sign-up page;
 * - `features.auth.registration_allowed_domains` (default []: any): email domains sign-up accepts;
 * - `features.auth.registration_requires_verified_email` (default true): a sign-up becomes an account only
 *   once its address is confirmed; false creates it at once (unverified);
 * - `features.auth.require_verified_email` (default false): sign-in of any user with an unverified address
 *   stops before tokens are issued (a verification mail is sent);
 * - `password_policy`: min_length (≥ 8), max_length (≤ 128), min_strength (zxcvbn score 0..4, default 3).
 */
export interface AccountAuthSettings {
  readonly registration_enabled: boolean;
  readonly registration_allowed_domains: readonly string[];
  readonly registration_requires_verified_email: boolean;
  readonly require_verified_email: boolean;
}

export interface PasswordPolicy {
  readonly min_length: number;
  readonly max_length: number;
  readonly min_strength: number;
}

export const DEFAULT_ACCOUNT_AUTH_SETTINGS: AccountAuthSettings = Object.freeze({
  registration_enabled: false,
  registration_allowed_domains: [],
  registration_requires_verified_email: true,
  require_verified_email: false,
});

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = Object.freeze({ min_length: 8, max_length: 128, min_strength: 3 });

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

function flag(problems: string[], name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    problems.push(`${name} must be true or false`);
    return fallback;
  }
  return value;
}

function whole(problems: string[], name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max}`);
    return fallback;
  }
  return value;
}

export function mergeAccountAuthSettings(problems: string[], base: AccountAuthSettings, input: Readonly<Record<string, unknown>>): AccountAuthSettings {
  let domains = base.registration_allowed_domains;
  const rawDomains = input.registration_allowed_domains;
  if (rawDomains !== undefined) {
    if (!Array.isArray(rawDomains) || rawDomains.length > 100 || !rawDomains.every((d) => typeof d === 'string' && DOMAIN.test(d.toLowerCase()))) {
      problems.push('features.auth.registration_allowed_domains must be a list of at most 100 domain names (example.com)');
    } else domains = [...new Set(rawDomains.map((d: string) => d.toLowerCase()))];
  }
  return {
    registration_enabled: flag(problems, 'features.auth.registration_enabled', input.registration_enabled, base.registration_enabled),
    registration_allowed_domains: domains,
    registration_requires_verified_email: flag(problems, 'features.auth.registration_requires_verified_email', input.registration_requires_verified_email, base.registration_requires_verified_email),
    require_verified_email: flag(problems, 'features.auth.require_verified_email', input.require_verified_email, base.require_verified_email),
  };
}

export function mergePasswordPolicy(problems: string[], base: PasswordPolicy, input: unknown): PasswordPolicy {
  if (input === undefined) return base;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    problems.push('password_policy must look like {"min_length": 8, "max_length": 128, "min_strength": 3}');
    return base;
  }
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) if (!(key in DEFAULT_PASSWORD_POLICY)) problems.push(`unknown setting "password_policy.${key}"`);
  const min = whole(problems, 'password_policy.min_length', raw.min_length, base.min_length, 8, 128);
  const max = whole(problems, 'password_policy.max_length', raw.max_length, base.max_length, 8, 128);
  if (min > max) problems.push('password_policy.min_length must not exceed max_length');
  return { min_length: min, max_length: max, min_strength: whole(problems, 'password_policy.min_strength', raw.min_strength, base.min_strength, 0, 4) };
}
