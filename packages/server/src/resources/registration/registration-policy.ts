/**
 * A tenant's client registration policy (RFC 7591 §1.5 leaves it to the server): dynamic registration is off
 * until an administrator turns it on; when on, it needs an initial access token unless `open`; and it limits
 * what a self-registered client may be: grant types, redirect URI schemes, scopes and authentication methods.
 * Client ID metadata documents (`client_id` is an https URL) have a switch of their own, also off by default.
 */
export interface ClientRegistrationPolicy {
  readonly enabled: boolean;
  /** Anyone may register (no initial access token): what MCP clients expect of an open server. */
  readonly open: boolean;
  readonly grant_types: readonly string[];
  /** `https`, `http` (loopback hosts only, RFC 8252 §7.3) and private-use schemes of native apps. */
  readonly redirect_uri_schemes: readonly string[];
  readonly scopes: readonly string[];
  readonly token_endpoint_auth_methods: readonly string[];
}

export const REGISTRABLE_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange'];
export const REGISTRABLE_AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post'];

export const DEFAULT_REGISTRATION_POLICY: ClientRegistrationPolicy = Object.freeze<ClientRegistrationPolicy>({
  enabled: false,
  open: false,
  grant_types: ['authorization_code', 'refresh_token'],
  redirect_uri_schemes: ['https', 'http'],
  scopes: ['openid', 'profile', 'email', 'offline_access'],
  token_endpoint_auth_methods: ['none', 'client_secret_basic', 'client_secret_post'],
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function list(problems: string[], name: string, value: unknown, fallback: readonly string[], allowed?: readonly string[]): readonly string[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v !== '' && v.length <= 200 && (allowed === undefined || allowed.includes(v)))) {
    problems.push(`client_registration.${name} must be a list of ${allowed ? allowed.join(', ') : 'non-empty strings'}`);
    return fallback;
  }
  return [...new Set(value as string[])];
}

/** Merges an update into `base`, collecting every problem in `problems` (the caller throws once). */
export function mergeRegistrationPolicy(problems: string[], base: ClientRegistrationPolicy, update: unknown): ClientRegistrationPolicy {
  if (update === undefined) return base;
  if (!isRecord(update)) {
    problems.push('client_registration must be an object');
    return base;
  }
  const known = new Set(Object.keys(DEFAULT_REGISTRATION_POLICY));
  for (const key of Object.keys(update)) if (!known.has(key)) problems.push(`unknown setting "client_registration.${key}"`);
  const flag = (name: 'enabled' | 'open'): boolean => {
    const value = update[name];
    if (value === undefined) return base[name];
    if (typeof value !== 'boolean') problems.push(`client_registration.${name} must be true or false`);
    return typeof value === 'boolean' ? value : base[name];
  };
  return {
    enabled: flag('enabled'),
    open: flag('open'),
    grant_types: list(problems, 'grant_types', update.grant_types, base.grant_types, REGISTRABLE_GRANT_TYPES),
    redirect_uri_schemes: list(problems, 'redirect_uri_schemes', update.redirect_uri_schemes, base.redirect_uri_schemes),
    scopes: list(problems, 'scopes', update.scopes, base.scopes),
    token_endpoint_auth_methods: list(problems, 'token_endpoint_auth_methods', update.token_endpoint_auth_methods, base.token_endpoint_auth_methods, REGISTRABLE_AUTH_METHODS),
  };
}
