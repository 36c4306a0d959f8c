/**
 * Issues an authorization code: a new grant (the family every token from this authorization will belong to)
 * and a single-use code bound to the client, the redirect URI, the PKCE challenge and the nonce. Only the code's
 * SHA-256 is stored; it lives `authorization_code_lifetime` seconds (at most 60).
 */
import type { Latchkey } from '../context.ts';
import { authorizationCodeQueries } from '../db/queries/authorization-codes.ts';
import { grantQueries } from '../db/queries/grants.ts';
import type { BrowserSession } from '../db/queries/sessions.ts';
import type { Client } from '../db/queries/clients.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { generateOpaqueToken, hashSecret } from '../tokens/opaque.ts';
import { newId } from '../util/ids.ts';
import type { AuthorizationRequest } from './authorization-request.ts';
import { sessionAcr, sessionAmr } from '../authentication/session-factors.ts';

export async function issueAuthorizationCode(ctx: Latchkey, input: { tenant: Tenant; client: Client; authz: AuthorizationRequest; session: BrowserSession }): Promise<string> {
  const { tenant, client, authz, session } = input;
  const now = ctx.now();
  const code = generateOpaqueToken(32);
  const grantId = newId('grt', now);
  await ctx.db.transaction().execute(async (trx) => {
    await grantQueries(trx).insert({
      id: grantId,
      tenant_id: tenant.id,
      client_id: client.clientId,
      user_id: session.user_id,
      session_id: session.id,
      scope: authz.scope.join(' '),
      auth_time: session.auth_time,
      amr: JSON.stringify(sessionAmr(session)),
      acr: sessionAcr(session),
      offline: authz.scope.includes('offline_access') ? 1 : 0,
      created_at: now,
      revoked_at: null,
      resources: authz.resources === undefined ? null : JSON.stringify(authz.resources),
    });
    await authorizationCodeQueries(trx).insert({
      code_hash: hashSecret(code),
      grant_id: grantId,
      tenant_id: tenant.id,
      client_id: client.clientId,
      redirect_uri: authz.redirectUri,
      code_challenge: authz.codeChallenge ?? null,
      nonce: authz.nonce ?? null,
      created_at: now,
      expires_at: now + tenant.settings.authorization_code_lifetime * 1000,
      consumed_at: null,
    });
  });
  return code;
}
