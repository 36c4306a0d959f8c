/**
 * RFC 6749 §4.1.3: exchanges an authorization code. Steps: find the code → bound to this client → not expired →
 * same redirect URI → PKCE verifier → not used yet (else a retry within the reuse grace, or a reuse that revokes
 * every token issued from it, RFC 6749 §4.1.2) → grant still alive, user active → consume it in the transaction
 * that stores its tokens (one conditional update: a crash leaves the code unused, and of concurrent exchanges
 * exactly one consumes it; issue 14) → issue tokens (with the ID token's nonce).
 */
import { authorizationCodeQueries } from '../../db/queries/authorization-codes.ts';
import type { AuthorizationCodeRow } from '../../db/queries/authorization-codes.ts';
import { refreshTokenQueries } from '../../db/queries/refresh-tokens.ts';
import type { Latchkey } from '../../context.ts';
import type { Client } from '../../db/queries/clients.ts';
import type { Database } from '../../db/database.ts';
import { InvalidGrant, assert } from '../../errors/oauth-error.ts';
import { hashSecret } from '../../tokens/opaque.ts';
import { assertPresent } from '../request-params.ts';
import { splitScope } from '../request-params.ts';
import type { Grant, GrantContext, TokenResponse } from './grant.ts';
import { recordRetry, requireActiveUser, requireLiveGrant, revokeGrantFamily, scopeTheClientStillHas } from './shared/grant-checks.ts';
import { ClaimLost, issueUserTokens } from './shared/issue-tokens.ts';
import { verifyPkce } from './shared/pkce.ts';
import { isUnusedRefreshToken, isWithinReuseGrace } from './shared/reuse-grace.ts';
import { successorRefreshToken } from './shared/successor-token.ts';

async function findCode(ctx: Latchkey, code: string, client: Client): Promise<AuthorizationCodeRow> {
  const row = code.length <= 256 ? await authorizationCodeQueries(ctx.db).findByHash(hashSecret(code)) : undefined;
  // A code issued to another client is unknown to this one (RFC 6749 §4.1.3).
  assert(row !== undefined && row.client_id === client.clientId && row.tenant_id === client.tenantId, new InvalidGrant('the authorization code is invalid'));
  return row;
}

async function reuseDetected(ctx: Latchkey, row: AuthorizationCodeRow, ip: string): Promise<never> {
  await revokeGrantFamily(ctx, { id: row.grant_id, tenant_id: row.tenant_id, client_id: row.client_id }, 'authorization_code.reuse', ip);
  throw new InvalidGrant('the authorization code was already used; every token issued from it is now revoked');
}

/**
 * A code presented again. The client, the redirect URI and the PKCE verifier were checked as for the first
 * exchange. Within the reuse grace, while the refresh token the first exchange issued is still unused, it is a
 * retry whose answer was lost: the answer carries that same refresh token again (with a fresh access token and
 * ID token). A code without PKCE gets this only for a client that authenticated. Anything else is a reuse.
 */
async function retryOrRevoke({ ctx, request, tenant, client, clientAuthMethod }: GrantContext, row: AuthorizationCodeRow, code: string): Promise<TokenResponse> {
  const consumedAt = row.consumed_at!;
  const provenSameClient = row.code_challenge !== null || clientAuthMethod !== 'none';
  if (provenSameClient && isWithinReuseGrace(tenant, consumedAt, ctx.now())) {
    const grant = await requireLiveGrant(ctx, row.grant_id);
    const refreshes = client.grantTypes.includes('refresh_token');
    const successor = successorRefreshToken(ctx, { kind: 'code', value: code });
    const issued = refreshes ? await refreshTokenQueries(ctx.db).findByHash(hashSecret(successor)) : undefined;
    if (!refreshes || isUnusedRefreshToken(issued, grant.id, ctx.now())) {
      const user = await requireActiveUser(ctx, grant);
      const scope = scopeTheClientStillHas(issued === undefined ? splitScope(grant.scope) : splitScope(issued.scope), client);
      const stillUnused = issued === undefined ? undefined : (trx: Database) => refreshTokenQueries(trx).holdUnused(issued.token_hash);
      try {
        const response = await issueUserTokens(ctx, { tenant, client, grant, user, scope, nonce: row.nonce, refreshToken: { kind: 'again', value: successor } }, stillUnused);
        await recordRetry(ctx, grant, 'authorization_code.retry', request.ip);
        return response;
      } catch (error) {
        // Its refresh token was used meanwhile: the family moved on after all.
        if (!(error instanceof ClaimLost)) throw error;
      }
    }
  }
  // An expired code presented again says only that, as it always did.
  assert(row.expires_at > ctx.now(), new InvalidGrant('the authorization code has expired'));
  return reuseDetected(ctx, row, request.ip);
}

export const authorizationCodeGrant: Grant = {
  type: 'authorization_code',
  async handle(context: GrantContext): Promise<TokenResponse> {
    const { ctx, params, tenant, client } = context;
    assertPresent(params, 'code', 'redirect_uri');
    const code = params.get('code')!;
    const row = await findCode(ctx, code, client);
    if (row.consumed_at === null) assert(row.expires_at > ctx.now(), new InvalidGrant('the authorization code has expired'));
    assert(row.redirect_uri === params.get('redirect_uri'), new InvalidGrant('redirect_uri does not match the one of the authorization request'));
    verifyPkce(row.code_challenge, params.get('code_verifier'));
    if (row.consumed_at !== null) return retryOrRevoke(context, row, code);
    const grant = await requireLiveGrant(ctx, row.grant_id);
    const user = await requireActiveUser(ctx, grant);
    const scope = scopeTheClientStillHas(splitScope(grant.scope), client);
    const consume = (trx: Database) => authorizationCodeQueries(trx).consume(row.code_hash, ctx.now());
    const successor = successorRefreshToken(ctx, { kind: 'code', value: code });
    try {
      return await issueUserTokens(ctx, { tenant, client, grant, user, scope, nonce: row.nonce, refreshToken: { kind: 'new', value: successor } }, consume);
    } catch (error) {
      if (!(error instanceof ClaimLost)) throw error;
      // Another exchange of this code committed first (it waited for it): a retry of it, or a reuse.
      return retryOrRevoke(context, (await authorizationCodeQueries(ctx.db).findByHash(row.code_hash))!, code);
    }
  },
};
