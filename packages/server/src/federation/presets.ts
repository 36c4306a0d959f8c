/**
 * Presets: the fixed facts of well-known providers, so an admin gives only a client id and secret.
 * - `google`: OpenID Connect at https://accounts.google.com.
 * - `entra`: Microsoft Entra ID; the multi-tenant `common` (or `organizations`) issuer publishes
 *   `https://login.microsoftonline.com/{tenantid}/v2.0` and `openid-client` checks each ID token's `iss`
 *   against that pattern filled with its `tid` claim; `allowed_tenant_ids` narrows which directories may sign in.
 * - `github`: OAuth 2.0 without OpenID Connect: the user from `GET /user`, emails (with `verified` and
 *   `primary`) from `GET /user/emails` (docs.github.com/rest/users/emails).
 *
 * The endpoints of OAuth 2.0 presets can only be replaced by code that builds the context (tests pointing them
 * at a loopback server), never by configuration or the admin API.
 */
export const PRESETS = ['github', 'google', 'entra'] as const;
export type Preset = (typeof PRESETS)[number];

export interface OAuth2Endpoints {
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly userEndpoint: string;
  readonly emailsEndpoint: string;
}

export const GITHUB_ENDPOINTS: OAuth2Endpoints = {
  authorizationEndpoint: 'https://github.com/login/oauth/authorize',
  tokenEndpoint: 'https://github.com/login/oauth/access_token',
  userEndpoint: 'https://api.github.com/user',
  emailsEndpoint: 'https://api.github.com/user/emails',
};

export interface PresetEndpoints {
  readonly github: OAuth2Endpoints;
}

export const DEFAULT_PRESET_ENDPOINTS: PresetEndpoints = { github: GITHUB_ENDPOINTS };

export interface PresetFacts {
  readonly type: 'oidc' | 'oauth2';
  readonly name: string;
  readonly issuer?: string;
  readonly scopes: readonly string[];
}

export function presetFacts(preset: Preset, entraDirectory = 'common'): PresetFacts {
  switch (preset) {
    case 'google':
      return { type: 'oidc', name: 'Google', issuer: 'https://accounts.google.com', scopes: ['openid', 'email', 'profile'] };
    case 'entra':
      return { type: 'oidc', name: 'Microsoft', issuer: `https://login.microsoftonline.com/${entraDirectory}/v2.0`, scopes: ['openid', 'email', 'profile'] };
    case 'github':
      return { type: 'oauth2', name: 'GitHub', scopes: ['read:user', 'user:email'] };
  }
}
