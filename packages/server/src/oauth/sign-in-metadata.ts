/** Discovery metadata of interactive sign-in (OpenID Connect Discovery §3, RFC 8414 §2, RFC 9207 §3). */
import { contributeMetadata } from './discovery.ts';
import { grants } from './grants/index.ts';
import { SUPPORTED_LOCALES } from '../i18n/catalogs.ts';
import { ACR_VALUES_SUPPORTED } from '../authentication/amr.ts';

let contributed = false;

export function contributeSignInMetadata(): void {
  if (contributed) return;
  contributed = true;
  contributeMetadata((issuer, tenant) => ({
    authorization_endpoint: `${issuer}/oauth2/authorize`,
    userinfo_endpoint: `${issuer}/oauth2/userinfo`,
    introspection_endpoint: `${issuer}/oauth2/introspect`,
    revocation_endpoint: `${issuer}/oauth2/revoke`,
    end_session_endpoint: `${issuer}/oauth2/logout`,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    response_modes_supported: ['query', 'form_post'],
    prompt_values_supported: ['none', 'login', 'consent'],
    authorization_response_iss_parameter_supported: true,
    // OpenID Connect Discovery §3: the languages of the hosted pages, one catalog each.
    ui_locales_supported: SUPPORTED_LOCALES,
    // Only an essential `acr` request is acted on (Core §5.5.1.1); other claims requests are voluntary and ignored.
    claims_parameter_supported: true,
    acr_values_supported: [...ACR_VALUES_SUPPORTED],
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    // The password grant is listed only where the tenant turned it on.
    grant_types_supported: [...grants.keys()].filter((type) => type !== 'password' || tenant.settings.features.auth.password_grant_enabled),
    claims_supported: [
      'iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'amr', 'acr', 'at_hash', 'sid', 'azp', 'jti', 'client_id', 'scope',
      'name', 'given_name', 'family_name', 'preferred_username', 'updated_at', 'email',
      'groups', 'roles', 'permissions', 'tenant_id', 'tenant_slug', 'partner_id',
    ],
  }));
}
