/**
 * OpenID Connect Discovery 1.0 and RFC 8414 metadata for one tenant. Endpoint URLs are derived from the issuer
 * so every instance behind a load balancer publishes the same document.
 */
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { issuerFor } from '../directory/tenant-directory.ts';
import { grants } from './grants/index.ts';

/** Extra metadata other parts add (authorization, userinfo, …) as they are registered. */
export type MetadataContributor = (issuer: string, tenant: Tenant) => Record<string, unknown>;

const contributors: MetadataContributor[] = [];

export function contributeMetadata(contributor: MetadataContributor): void {
  contributors.push(contributor);
}

/** `signingAlgs`: what ID tokens are signed with; during a signing-algorithm switch, the old and the new one. */
export function tenantMetadata(ctx: Latchkey, tenant: Tenant, signingAlgs: readonly string[] = [tenant.settings.signing_alg]): Record<string, unknown> {
  const issuer = issuerFor(ctx.config.baseUrl, tenant.slug);
  const metadata: Record<string, unknown> = {
    issuer,
    token_endpoint: `${issuer}/oauth2/token`,
    jwks_uri: `${issuer}/jwks`,
    grant_types_supported: [...grants.keys()],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...signingAlgs],
    code_challenge_methods_supported: ['S256'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id', 'scope', 'email', 'email_verified', 'preferred_username', 'groups', 'roles', 'permissions', 'tenant_id', 'tenant_slug', 'partner_id'],
  };
  for (const contribute of contributors) Object.assign(metadata, contribute(issuer, tenant));
  return metadata;
}
