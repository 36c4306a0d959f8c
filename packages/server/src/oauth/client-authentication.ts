/**
 * Authenticates the client at the token, introspection and revocation endpoints (RFC 6749 §2.3):
 * `client_secret_basic`, `client_secret_post` (form or JSON body), or `none` for public clients. Exactly one
 * method per request. Secrets are compared as SHA-256 hashes in constant time, and an unknown client costs the
 * same hash as a known one so responses do not reveal which client ids exist.
 */
import type { FastifyRequest } from 'fastify';
import { clientQueries } from '../db/queries/clients.ts';
import type { Client } from '../db/queries/clients.ts';
import type { Database } from '../db/database.ts';
import { InvalidClient, InvalidRequest } from '../errors/oauth-error.ts';
import { secretMatchesHash } from '../tokens/opaque.ts';
import type { Params } from './request-params.ts';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

export interface AuthenticatedClient {
  readonly client: Client;
  readonly method: ClientAuthMethod;
}

export interface PresentedCredentials {
  readonly clientId: string;
  readonly secret: string | undefined;
  readonly method: ClientAuthMethod;
}

const DUMMY_HASH = '0'.repeat(64);

function unauthorized(description: string, viaBasic: boolean): InstanceType<typeof InvalidClient> {
  // RFC 6749 §5.2: 401 with WWW-Authenticate matching the scheme the client used (Basic by default).
  return new InvalidClient(description, { headers: { 'WWW-Authenticate': `Basic realm="latchkey", charset="UTF-8"${viaBasic ? ', error="invalid_client"' : ''}` } });
}

export function readClientCredentials(request: FastifyRequest, params: Params): PresentedCredentials {
  const header = request.headers.authorization;
  const bodyId = params.get('client_id');
  const bodySecret = params.get('client_secret');
  if (header !== undefined && /^basic /i.test(header)) {
    if (bodySecret !== undefined) throw new InvalidRequest('client credentials were sent in more than one place (Authorization header and body)');
    const decoded = decodeBasic(header.slice(6).trim());
    if (decoded === undefined) throw unauthorized('the Authorization header is not valid Basic credentials', true);
    if (bodyId !== undefined && bodyId !== decoded.clientId) throw new InvalidRequest('client_id in the body does not match the Authorization header');
    return { clientId: decoded.clientId, secret: decoded.secret, method: 'client_secret_basic' };
  }
  if (bodyId === undefined || bodyId === '') throw unauthorized('client authentication is required (client_id missing)', false);
  if (bodySecret !== undefined) return { clientId: bodyId, secret: bodySecret, method: 'client_secret_post' };
  return { clientId: bodyId, secret: undefined, method: 'none' };
}

function decodeBasic(encoded: string): { clientId: string; secret: string } | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return undefined;
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before they are joined.
    const clientId = decodeURIComponent(text.slice(0, colon).replaceAll('+', ' '));
    const secret = decodeURIComponent(text.slice(colon + 1).replaceAll('+', ' '));
    return clientId === '' ? undefined : { clientId, secret };
  } catch {
    return undefined;
  }
}

/** `findClient` lets the token endpoint read clients through its cache (`issuance-cache.ts`). */
/** Checks credentials read by `readClientCredentials` (read once per request: the token endpoint also keys its limit on them). */
export async function authenticateClient(
  db: Database,
  presented: PresentedCredentials,
  findClient: (clientId: string) => Promise<Client | undefined> = (clientId) => clientQueries(db).findById(clientId),
): Promise<AuthenticatedClient> {
  const viaBasic = presented.method === 'client_secret_basic';
  const client = presented.clientId.length <= 512 ? await findClient(presented.clientId) : undefined;
  if (presented.secret !== undefined) {
    const matches = secretMatchesHash(presented.secret, client?.secretHash ?? DUMMY_HASH);
    // `Basic base64(client_id + ":")` is how requests-oauthlib and Go's x/oauth2 send a client without a secret:
    // `none` for a public client (as ORY fosite reads it); a confidential client's empty password fails below.
    if (viaBasic && presented.secret === '' && client?.type === 'public') return { client, method: 'none' };
    if (!client || !client.secretHash || !matches) throw unauthorized('client authentication failed', viaBasic);
    return { client, method: presented.method };
  }
  if (!client) throw unauthorized('client authentication failed', viaBasic);
  if (client.type !== 'public') throw unauthorized('this client must authenticate with its client secret', viaBasic);
  return { client, method: 'none' };
}
