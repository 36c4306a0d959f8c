/**
 * RFC 6749 §4.1.3: exchanges an authorization code. Steps: find the code → bound to this client → not expired →
 * same redirect URI → PKCE verifier → not used yet → grant still alive, user active → consume it in the
 * transaction that stores its tokens (one conditional update: a crash before the commit leaves the code unused,
 * and of concurrent exchanges exactly one consumes it; issue 14) → issue tokens (with the ID token's nonce).
 * A code is strictly single-use, whatever the tenant's `reuse_grace` (which is for refresh tokens only): a
 * second use is refused and revokes every token issued from it (RFC 6749 §4.1.2 "MUST deny"). A loser only
 * sees the code used once the winner committed, so its revocation covers what the winner stored and never
 * undoes an issuance in flight.
 */
import { authorizationCodeQueries } from '../../db/queries/authorization-codes.ts';
import type { AuthorizationCodeRow } from '../../db/queries/authorization-codes.ts';
import type { Latchkey } from '../../context.ts';
import type { Client } from '../../db/queries/clients.ts';
import type { Database } from '../../db/database.ts';
import { InvalidGrant, assert } from '../../errors/oauth-error.ts';
import { hashSecret } from '../../tokens/opaque.ts';
import { assertPresent } from '../request-params.ts';
import { splitScope } from '../request-params.ts';
import type { Grant, GrantContext, TokenResponse } from './grant.ts';
import { requireActiveUser, requireLiveGrant, revokeGrantFamily, scopeTheClientStillHas } from './shared/grant-checks.ts';
import { ClaimLost, issueUserTokens } from './shared/issue-tokens.ts';
import { verifyPkce } from './shared/pkce.ts';
import { grantResources, resourceForGrant } from '../../resources/resource-indicators.ts';

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

export const authorizationCodeGrant: Grant = {
  type: 'authorization_code',
  async handle({ ctx, request, params, tenant, client }: GrantContext): Promise<TokenResponse> {
    assertPresent(params, 'code', 'redirect_uri');
    const requestedResource = params.get('resource');
    const row = await findCode(ctx, params.get('code')!, client);
    assert(row.expires_at > ctx.now(), new InvalidGrant('the authorization code has expired'));
    assert(row.redirect_uri === params.get('redirect_uri'), new InvalidGrant('redirect_uri does not match the one of the authorization request'));
    verifyPkce(row.code_challenge, params.get('code_verifier'));
    if (row.consumed_at !== null) return reuseDetected(ctx, row, request.ip);
    const grant = await requireLiveGrant(ctx, row.grant_id);
    const user = await requireActiveUser(ctx, grant);
    const resource = await resourceForGrant(ctx, tenant, client, grantResources(grant.resources), requestedResource);
    const scope = scopeTheClientStillHas(splitScope(grant.scope), client, resource?.scopes);
    const consume = (trx: Database) => authorizationCodeQueries(trx).consume(row.code_hash, ctx.now());
    try {
      return await issueUserTokens(ctx, { tenant, client, grant, user, scope, nonce: row.nonce, refreshToken: { kind: 'new' }, resource }, consume);
    } catch (error) {
      if (!(error instanceof ClaimLost)) throw error;
      // Another exchange of this code committed first (this one waited for it and rolled back): a reuse.
      return reuseDetected(ctx, row, request.ip);
    }
  },
};
