/**
 * RFC 7662 answers for API keys (seed 003: `sg_live_…` / `sg_test_…` bearer credentials). Active keys report
 * the owner as `sub`, the tenant, the key's current permissions (its subset ∩ what the owner holds now) as
 * `permissions` and `scope`, the owner's groups, and `exp` when the key expires. There is no `client_id`: an API
 * key is not issued to a client. A key of another tenant is inactive here, as RFC 7662 §2.2 allows.
 */
import { authenticateApiKey } from '../../directory/api-keys.ts';
import { looksLikeApiKey } from '../../tokens/api-key-format.ts';
import type { Introspector } from './introspector.ts';

export const apiKeyIntrospector: Introspector = {
  tokenTypeHint: 'api_key',
  async introspect(token, { ctx, tenant }) {
    if (!looksLikeApiKey(token)) return undefined;
    const check = await authenticateApiKey(ctx, token, null, tenant.id);
    if (!check.ok || check.tenant.id !== tenant.id) return { active: false };
    const { key, owner, access, permissions } = check;
    return {
      active: true,
      token_type: 'api_key',
      sub: owner.id,
      ...(owner.username ? { username: owner.username } : owner.email ? { username: owner.email } : {}),
      ...(owner.email ? { email: owner.email } : {}),
      tenant_id: tenant.id,
      tenant_slug: tenant.slug,
      partner_id: tenant.partnerId,
      scope: permissions.join(' '),
      permissions,
      groups: access.groups,
      roles: access.roles,
      iat: Math.floor(key.created_at / 1000),
      ...(key.expires_at === null ? {} : { exp: Math.floor(key.expires_at / 1000) }),
      api_key_id: key.id,
      api_key_mode: key.mode,
    };
  },
};
