/**
 * Token introspection (RFC 7662) at `<issuer>/oauth2/introspect`. Steps: read the form → authenticate the client
 * (a confidential client of this tenant) → ask the introspectors, the hinted kind first → `{"active": false}` for
 * anything no introspector recognises, or that is expired or revoked.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Latchkey } from '../context.ts';
import type { Client } from '../db/queries/clients.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { requireTenantBySlug } from '../directory/tenants.ts';
import { InvalidClient } from '../errors/oauth-error.ts';
import { authenticateClient, readClientCredentials } from './client-authentication.ts';
import { clientQueries } from '../db/queries/clients.ts';
import { isMetadataDocumentClientId, metadataDocumentClient } from '../resources/registration/metadata-document-clients.ts';
import { introspectors } from './introspection/index.ts';
import { assertLengths, assertPresent, readBodyParams } from './request-params.ts';
import type { Params } from './request-params.ts';
import { noStore } from './token.ts';

type TenantRequest = FastifyRequest<{ Params: { tenant: string } }>;

/**
 * The client calling introspection or revocation, which must belong to the tenant of the endpoint. A client_id
 * that is a URL is a client ID metadata document of this tenant (issue 20): it revokes with that same id.
 */
export async function authenticateTenantClient(ctx: Latchkey, request: FastifyRequest, params: Params, tenant: Tenant): Promise<Client> {
  const find = (clientId: string) => (isMetadataDocumentClientId(clientId) ? metadataDocumentClient(ctx, tenant, clientId) : clientQueries(ctx.db).findById(clientId));
  const { client } = await authenticateClient(ctx.db, readClientCredentials(request, params), find);
  if (client.tenantId !== tenant.id) throw new InvalidClient('client authentication failed');
  return client;
}

function orderedIntrospectors(hint: string | undefined) {
  const hinted = introspectors.filter((i) => i.tokenTypeHint === hint);
  return [...hinted, ...introspectors.filter((i) => i.tokenTypeHint !== hint)];
}

export function introspectHandler(ctx: Latchkey) {
  return async function introspect(request: TenantRequest, reply: FastifyReply) {
    noStore(reply);
    const tenant = await requireTenantBySlug(ctx, request.params.tenant);
    const params = readBodyParams(request.headers['content-type'], request.body, { allowJson: false });
    assertLengths(params, 8192);
    const client = await authenticateTenantClient(ctx, request, params, tenant);
    // RFC 7662 §2.1: the caller must be authorized; a public client proves nothing about itself.
    if (client.type !== 'confidential') throw new InvalidClient('introspection needs a confidential client');
    assertPresent(params, 'token');
    const token = params.get('token')!;
    for (const introspector of orderedIntrospectors(params.get('token_type_hint'))) {
      const result = await introspector.introspect(token, { ctx, tenant, client });
      if (result !== undefined) return result;
    }
    return { active: false };
  };
}
