/**
 * The admin console's built-in client in each tenant (issue 19): a public client (authorization code + PKCE,
 * no secret) whose only redirect URI is `<base URL>/console/`. Admins sign in to the console at their own
 * tenant's issuer, because an admin token's tenant is its issuer's (`admin/admin-auth.ts`). The client id is
 * `latchkey-console-<slug>`, which no generated client id can take (those have no hyphen), and the row is made
 * the first time the console is opened for the tenant, so tenants whose admins never use it carry nothing extra.
 * Its redirect URIs follow LATCHKEY_BASE_URL if that changes.
 */
import type { Latchkey } from '../context.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { clientQueries } from '../db/queries/clients.ts';
import type { Client } from '../db/queries/clients.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { recordedChange } from '../audit/recorded-change.ts';
import { ADMIN_SCOPE } from '../admin/admin-audience.ts';
import { DEFAULT_TOKEN_CLAIMS } from './clients.ts';

export const CONSOLE_CLIENT_PREFIX = 'latchkey-console-';
const CONSOLE_SCOPES = ['openid', 'profile', 'email', 'offline_access', ADMIN_SCOPE];
const SYSTEM_ACTOR = { type: 'system', id: null, ip: null } as const;

export function consoleClientId(tenant: Pick<Tenant, 'slug'>): string {
  return `${CONSOLE_CLIENT_PREFIX}${tenant.slug}`;
}

export function consoleRedirectUri(baseUrl: string): string {
  return `${baseUrl}/console/`;
}

export async function ensureConsoleClient(ctx: Latchkey, tenant: Tenant): Promise<Client> {
  const clientId = consoleClientId(tenant);
  const redirect = JSON.stringify([consoleRedirectUri(ctx.config.baseUrl)]);
  const queries = clientQueries(ctx.db);
  const existing = await queries.findById(clientId);
  if (existing && existing.tenantId === tenant.id) {
    if (JSON.stringify(existing.redirectUris) === redirect && JSON.stringify(existing.postLogoutRedirectUris) === redirect) return existing;
    const uri = consoleRedirectUri(ctx.config.baseUrl);
    await queries.setRedirectUris(clientId, [uri], [uri], ctx.now());
    return (await queries.findById(clientId))!;
  }
  const now = ctx.now();
  try {
    await recordedChange(
      ctx,
      SYSTEM_ACTOR,
      (db) =>
        clientQueries(db).insert({
          client_id: clientId, tenant_id: tenant.id, name: 'Latchkey admin console', type: 'public', secret_hash: null, secret_created_at: null,
          redirect_uris: redirect, post_logout_redirect_uris: redirect, grant_types: JSON.stringify(['authorization_code', 'refresh_token']),
          scopes: JSON.stringify(CONSOLE_SCOPES), audience: null, token_claims: JSON.stringify(DEFAULT_TOKEN_CLAIMS), service_user_id: null, created_at: now, updated_at: now,
        }),
      () => ({ action: 'client.create', tenantId: tenant.id, target: { type: 'client', id: clientId }, details: { built_in: 'console' } }),
    );
  } catch (error) {
    if (!isUniqueViolation(error)) throw error; // made by a concurrent request
  }
  const client = await queries.findById(clientId);
  if (!client) throw new Error('console client vanished after insert');
  return client;
}
