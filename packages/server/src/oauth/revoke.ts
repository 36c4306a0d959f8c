/**
 * Token revocation (RFC 7009) at `<issuer>/oauth2/revoke`. Steps: read the form → authenticate the client →
 * a refresh token of this client revokes its whole grant (every refresh and access token of the family); an
 * access token of this client joins `revoked_access_tokens` until it expires → 200 in every case where the token
 * is unknown or already invalid (§2.2), so the answer reveals nothing.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import type { Client } from '../db/queries/clients.ts';
import { grantQueries } from '../db/queries/grants.ts';
import { refreshTokenQueries } from '../db/queries/refresh-tokens.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { requireTenantBySlug } from '../directory/tenants.ts';
import { UnauthorizedClient, assert } from '../errors/oauth-error.ts';
import { hashSecret } from '../tokens/opaque.ts';
import { checkAccessToken } from '../tokens/verify-access-token.ts';
import { authenticateTenantClient } from './introspect.ts';
import { assertLengths, assertPresent, readBodyParams } from './request-params.ts';
import { noStore } from './token.ts';

type TenantRequest = FastifyRequest<{ Params: { tenant: string } }>;

const NOT_YOURS = 'the token was not issued to this client';

async function revokeRefreshToken(ctx: Latchkey, tenant: Tenant, client: Client, token: string): Promise<boolean> {
  const row = token.length <= 256 ? await refreshTokenQueries(ctx.db).findByHash(hashSecret(token)) : undefined;
  if (row === undefined || row.tenant_id !== tenant.id) return false;
  assert(row.client_id === client.clientId, new UnauthorizedClient(NOT_YOURS));
  await grantQueries(ctx.db).revoke(row.grant_id, ctx.now());
  return true;
}

async function revokeAccessToken(ctx: Latchkey, tenant: Tenant, client: Client, token: string): Promise<boolean> {
  const checked = await checkAccessToken(ctx, tenant, token);
  if (!checked.valid) return checked.reason !== 'not_a_jwt';
  const { jti, exp, client_id: clientId } = checked.payload;
  // A metadata-document client's tokens name it by its URL (issue 20).
  assert(clientId === (client.metadataUrl ?? client.clientId), new UnauthorizedClient(NOT_YOURS));
  if (typeof jti === 'string' && typeof exp === 'number') {
    await ctx.db
      .insertInto('revoked_access_tokens')
      .values({ jti, expires_at: exp * 1000 })
      .onConflict((oc) => oc.column('jti').doNothing())
      .execute();
  }
  return true;
}

export function revokeHandler(ctx: Latchkey) {
  return async function revoke(request: TenantRequest, reply: FastifyReply) {
    noStore(reply);
    const tenant = await requireTenantBySlug(ctx, request.params.tenant);
    const params = readBodyParams(request.headers['content-type'], request.body, { allowJson: false });
    assertLengths(params, 8192);
    const client = await authenticateTenantClient(ctx, request, params, tenant);
    assertPresent(params, 'token');
    // §2.1: the hint only orders the search; an unknown hint is ignored.
    const hint = params.get('token_type_hint');
    const token = params.get('token')!;
    const order = hint === 'access_token' ? [revokeAccessToken, revokeRefreshToken] : [revokeRefreshToken, revokeAccessToken];
    for (const attempt of order) if (await attempt(ctx, tenant, client, token)) break;
    return reply.code(200).send();
  };
}
