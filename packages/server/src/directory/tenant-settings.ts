import { isSigningAlgorithm, SIGNING_ALGORITHMS } from '../tokens/jose.ts';
import type { SigningAlgorithm } from '../tokens/jose.ts';
import { InvalidRequest } from '../errors/oauth-error.ts';
import { DEFAULT_ACCOUNT_AUTH_SETTINGS, DEFAULT_PASSWORD_POLICY, mergeAccountAuthSettings, mergePasswordPolicy } from '../accounts/account-settings.ts';
import type { AccountAuthSettings, PasswordPolicy } from '../accounts/account-settings.ts';
import { isSupportedLocale, REFERENCE_LOCALE, SUPPORTED_LOCALES } from '../i18n/catalogs.ts';
import { DEFAULT_REGISTRATION_POLICY, mergeRegistrationPolicy } from '../resources/registration/registration-policy.ts';
import type { ClientRegistrationPolicy } from '../resources/registration/registration-policy.ts';

/** A tenant's settings, as stored (JSON) and as shown by the admin API. Lifetimes are in seconds. */
export interface TenantSettings {
  readonly access_token_lifetime: number;
  readonly id_token_lifetime: number;
  readonly refresh_token_lifetime: number;
  readonly authorization_code_lifetime: number;
  /**
   * Issue a new refresh token on every use and revoke the family when an old one is replayed. Turning it off
   * applies to confidential clients only: public clients always rotate (`tenantForClient`).
   */
  readonly refresh_token_rotation: boolean;
  /** A browser session (single sign-on) ends after this long without use (seconds; default 24 h). */
  readonly session_idle_timeout: number;
  /** …and this long after sign-in however much it is used (seconds; default 30 days). */
  readonly session_max_lifetime: number;
  /**
   * Seconds during which a rotated-out refresh token, presented again by the same client, is a retry of a
   * refresh whose answer was lost, not a replay: it is answered with the same successor as before instead of
   * revoking the family, as long as the family has not moved on. 0 = every replay revokes (RFC 9700 §4.14.2;
   * docs/sign-in.md). Refresh tokens only: a code used twice is always refused and revokes (RFC 6749 §4.1.2).
   */
  readonly reuse_grace: number;
  /** The algorithm that signs this tenant's tokens. */
  readonly signing_alg: SigningAlgorithm;
  /** Algorithms this tenant may switch to (and publishes keys for). */
  readonly allowed_signing_algs: readonly SigningAlgorithm[];
  /** API keys look like `<prefix>_live_…` / `<prefix>_test_…` (seed 003: `sg`). */
  readonly api_key_prefix: string;
  /** Refuse `<prefix>_test_…` keys on this tenant (production tenants). */
  readonly require_live_api_keys: boolean;
  /** Self-service accounts (`accounts/account-settings.ts`). */
  readonly password_policy: PasswordPolicy;
  readonly features: { readonly auth: { readonly password_grant_enabled: boolean } & AccountAuthSettings };
  /** The hosted pages' language when neither `ui_locales` nor the browser names a supported one. */
  readonly default_locale: string;
  /** RFC 7591/7592 dynamic client registration (off by default) and what it may register. */
  readonly client_registration: ClientRegistrationPolicy;
  /** Accept OAuth Client ID Metadata Documents: a client_id that is an https URL (off by default). */
  readonly client_id_metadata_documents: boolean;
  /** Strong sign-in (issue 15): who must use a second factor, and which factors users may enrol. */
  readonly mfa: MfaSettings;
}

export const MFA_POLICIES = ['off', 'optional', 'required'] as const;
export const MFA_FACTORS = ['totp', 'passkey'] as const;
export type MfaFactor = (typeof MFA_FACTORS)[number];

export interface MfaSettings {
  /** off: never asked; optional: asked of users who enrolled a factor; required: every user, enrolling first. */
  readonly policy: (typeof MFA_POLICIES)[number];
  /** Any user with an admin role must use a second factor, whatever the policy. */
  readonly required_for_admins: boolean;
  readonly allowed_factors: readonly MfaFactor[];
}

export const DEFAULT_TENANT_SETTINGS: TenantSettings = Object.freeze<TenantSettings>({
  access_token_lifetime: 3600,
  id_token_lifetime: 3600,
  refresh_token_lifetime: 30 * 86400,
  authorization_code_lifetime: 60,
  refresh_token_rotation: true,
  session_idle_timeout: 86400,
  session_max_lifetime: 30 * 86400,
  reuse_grace: 5,
  signing_alg: 'RS256',
  allowed_signing_algs: ['RS256', 'ES256', 'EdDSA'],
  api_key_prefix: 'sg',
  require_live_api_keys: false,
  password_policy: DEFAULT_PASSWORD_POLICY,
  features: { auth: { password_grant_enabled: false, ...DEFAULT_ACCOUNT_AUTH_SETTINGS } },
  default_locale: REFERENCE_LOCALE,
  client_registration: DEFAULT_REGISTRATION_POLICY,
  client_id_metadata_documents: false,
  mfa: { policy: 'optional', required_for_admins: true, allowed_factors: ['totp', 'passkey'] },
});

type Problems = string[];

function lifetime(problems: Problems, name: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    problems.push(`${name} must be a whole number of seconds from 1 to ${max}`);
    return fallback;
  }
  return value;
}

function grace(problems: Problems, name: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    problems.push(`${name} must be a whole number of seconds from 0 to ${max}`);
    return fallback;
  }
  return value;
}

function flag(problems: Problems, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    problems.push(`${name} must be true or false`);
    return fallback;
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const KNOWN_KEYS = new Set(Object.keys(DEFAULT_TENANT_SETTINGS));

/**
 * Merges a partial update into `base` and validates the result; every problem is reported at once as one
 * `invalid_request`. Used for admin updates and to read stored settings (where `base` is the defaults).
 */
export function mergeTenantSettings(base: TenantSettings, update: unknown, options: { ignoreUnknown?: boolean } = {}): TenantSettings {
  const problems: Problems = [];
  if (update !== undefined && !isRecord(update)) throw new InvalidRequest('settings must be a JSON object');
  const input = update ?? {};
  if (!options.ignoreUnknown) {
    for (const key of Object.keys(input)) if (!KNOWN_KEYS.has(key)) problems.push(`unknown setting "${key}"`);
  }

  const allowed = input.allowed_signing_algs === undefined ? base.allowed_signing_algs : input.allowed_signing_algs;
  let allowedAlgs: SigningAlgorithm[] = [...base.allowed_signing_algs];
  if (!Array.isArray(allowed) || allowed.length === 0 || !allowed.every(isSigningAlgorithm)) {
    problems.push(`allowed_signing_algs must be a non-empty list of ${SIGNING_ALGORITHMS.join(', ')}`);
  } else allowedAlgs = [...new Set(allowed)];
  const signingAlg = input.signing_alg === undefined ? base.signing_alg : input.signing_alg;
  if (!isSigningAlgorithm(signingAlg) || !allowedAlgs.includes(signingAlg)) {
    problems.push(`signing_alg must be one of allowed_signing_algs (${allowedAlgs.join(', ')})`);
  }
  const prefix = input.api_key_prefix === undefined ? base.api_key_prefix : input.api_key_prefix;
  if (typeof prefix !== 'string' || !/^[a-z][a-z0-9]{1,15}$/.test(prefix)) {
    problems.push('api_key_prefix must be 2 to 16 lower-case letters or digits, starting with a letter');
  }
  let passwordGrant = base.features.auth.password_grant_enabled;
  let accountAuth: AccountAuthSettings = base.features.auth;
  if (input.features !== undefined) {
    const auth = isRecord(input.features) ? input.features.auth : undefined;
    if (!isRecord(input.features) || (input.features.auth !== undefined && !isRecord(auth))) {
      problems.push('features must look like {"auth": {"password_grant_enabled": true}}');
    } else if (isRecord(auth)) {
      passwordGrant = flag(problems, 'features.auth.password_grant_enabled', auth.password_grant_enabled, passwordGrant);
      accountAuth = mergeAccountAuthSettings(problems, base.features.auth, auth);
    }
  }
  const defaultLocale = input.default_locale === undefined ? base.default_locale : input.default_locale;
  if (!isSupportedLocale(defaultLocale)) problems.push(`default_locale must be one of ${SUPPORTED_LOCALES.join(', ')}`);
  const mfa = mergeMfa(problems, base.mfa, input.mfa);
  const settings: TenantSettings = {
    access_token_lifetime: lifetime(problems, 'access_token_lifetime', input.access_token_lifetime, base.access_token_lifetime, 86400),
    id_token_lifetime: lifetime(problems, 'id_token_lifetime', input.id_token_lifetime, base.id_token_lifetime, 86400),
    refresh_token_lifetime: lifetime(problems, 'refresh_token_lifetime', input.refresh_token_lifetime, base.refresh_token_lifetime, 365 * 86400),
    // RFC 6749 §4.1.2 recommends at most 10 minutes; Latchkey caps codes at 60 s.
    authorization_code_lifetime: lifetime(problems, 'authorization_code_lifetime', input.authorization_code_lifetime, base.authorization_code_lifetime, 60),
    refresh_token_rotation: flag(problems, 'refresh_token_rotation', input.refresh_token_rotation, base.refresh_token_rotation),
    session_idle_timeout: lifetime(problems, 'session_idle_timeout', input.session_idle_timeout, base.session_idle_timeout, 365 * 86400),
    session_max_lifetime: lifetime(problems, 'session_max_lifetime', input.session_max_lifetime, base.session_max_lifetime, 365 * 86400),
    // Long enough for a client to retry after a reset connection, short enough to bound what a stolen token buys.
    reuse_grace: grace(problems, 'reuse_grace', input.reuse_grace, base.reuse_grace, 60),
    signing_alg: isSigningAlgorithm(signingAlg) ? signingAlg : base.signing_alg,
    allowed_signing_algs: allowedAlgs,
    api_key_prefix: typeof prefix === 'string' ? prefix : base.api_key_prefix,
    require_live_api_keys: flag(problems, 'require_live_api_keys', input.require_live_api_keys, base.require_live_api_keys),
    password_policy: mergePasswordPolicy(problems, base.password_policy, input.password_policy),
    features: {
      auth: {
        password_grant_enabled: passwordGrant,
        registration_enabled: accountAuth.registration_enabled,
        registration_allowed_domains: accountAuth.registration_allowed_domains,
        registration_requires_verified_email: accountAuth.registration_requires_verified_email,
        require_verified_email: accountAuth.require_verified_email,
      },
    },
    default_locale: isSupportedLocale(defaultLocale) ? defaultLocale : base.default_locale,
    client_registration: mergeRegistrationPolicy(problems, base.client_registration, input.client_registration),
    client_id_metadata_documents: flag(problems, 'client_id_metadata_documents', input.client_id_metadata_documents, base.client_id_metadata_documents),
    mfa,
  };
  if (problems.length > 0) throw new InvalidRequest(`invalid settings: ${problems.join('; ')}`);
  return settings;
}

function mergeMfa(problems: Problems, base: MfaSettings, update: unknown): MfaSettings {
  if (update === undefined) return base;
  if (!isRecord(update)) {
    problems.push('mfa must look like {"policy": "required", "required_for_admins": true, "allowed_factors": ["totp", "passkey"]}');
    return base;
  }
  for (const key of Object.keys(update)) if (!['policy', 'required_for_admins', 'allowed_factors'].includes(key)) problems.push(`unknown setting "mfa.${key}"`);
  let policy = base.policy;
  if (update.policy !== undefined) {
    if (typeof update.policy === 'string' && (MFA_POLICIES as readonly string[]).includes(update.policy)) policy = update.policy as MfaSettings['policy'];
    else problems.push(`mfa.policy must be one of ${MFA_POLICIES.join(', ')}`);
  }
  let allowed = base.allowed_factors;
  if (update.allowed_factors !== undefined) {
    const list = update.allowed_factors;
    if (Array.isArray(list) && list.length > 0 && list.every((f) => (MFA_FACTORS as readonly unknown[]).includes(f))) allowed = [...new Set(list as MfaFactor[])];
    else problems.push(`mfa.allowed_factors must be a non-empty list of ${MFA_FACTORS.join(', ')}`);
  }
  return { policy, required_for_admins: flag(problems, 'mfa.required_for_admins', update.required_for_admins, base.required_for_admins), allowed_factors: allowed };
}

/** Reads stored settings; settings added in later versions take their defaults. */
export function parseStoredSettings(json: string): TenantSettings {
  try {
    return mergeTenantSettings(DEFAULT_TENANT_SETTINGS, JSON.parse(json), { ignoreUnknown: true });
  } catch {
    return DEFAULT_TENANT_SETTINGS;
  }
}

/**
 * The tenant as one client's token requests see it: a public client's refresh tokens always rotate, whatever the
 * tenant's `refresh_token_rotation` says, since it has no credential to bind them to (RFC 9700 §4.14.2). The
 * same tenant object comes back when nothing changes.
 */
export function tenantForClient<T extends { readonly settings: TenantSettings }>(tenant: T, client: { readonly type: string }): T {
  if (client.type !== 'public' || tenant.settings.refresh_token_rotation) return tenant;
  return { ...tenant, settings: Object.freeze({ ...tenant.settings, refresh_token_rotation: true }) };
}
