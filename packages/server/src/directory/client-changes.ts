/**
 * Changing and deleting clients (registration and secret rotation are in clients.ts). A change to what users
 * approved (redirect URIs, scopes, grant types) ends those approvals: see client-authorizations.ts.
 */
import type { Database } from '../db/database.ts';
import { clientAdminQueries } from '../db/queries/client-admin.ts';
import { clientQueries } from '../db/queries/clients.ts';
import type { Client } from '../db/queries/clients.ts';
import { InvalidRequest, NotFound, assert } from '../errors/oauth-error.ts';
import { resetAuthorizations } from './client-authorizations.ts';
import type { AuthorizationsReset } from './client-authorizations.ts';
import { checkRedirectUriForType, SUPPORTED_GRANT_TYPES, TOKEN_CLAIM_OPTIONS, validateClientPageUri, validateRedirectUri } from './clients.ts';

export interface ClientChanges {
  readonly name?: string | undefined;
  readonly redirectUris?: readonly string[] | undefined;
  readonly postLogoutRedirectUris?: readonly string[] | undefined;
  readonly grantTypes?: readonly string[] | undefined;
  readonly scopes?: readonly string[] | undefined;
  readonly audience?: string | null | undefined;
  readonly tokenClaims?: readonly string[] | undefined;
  readonly logoUri?: string | null | undefined;
  readonly policyUri?: string | null | undefined;
  readonly tosUri?: string | null | undefined;
}

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/; // RFC 6749 §3.3 scope-token

export async function requireClient(db: Database, tenantId: string, clientId: string): Promise<Client> {
  const client = await clientQueries(db).findById(clientId);
  if (!client || client.tenantId !== tenantId) throw new NotFound('no such client');
  return client;
}

export interface UpdatedClient {
  readonly client: Client;
  /** Set when the change dropped the client's consents and grants. */
  readonly authorizationsReset: AuthorizationsReset | null;
}

/** `client` is the current row (the caller read it to authorize the change, in the same transaction). */
export async function updateClient(db: Database, client: Client, changes: ClientChanges, now: number): Promise<UpdatedClient> {
  const { tenantId, clientId } = client;
  const set: Parameters<ReturnType<typeof clientAdminQueries>['update']>[1] = {};
  if (changes.name !== undefined) {
    assert(changes.name.trim() !== '' && changes.name.length <= 200, new InvalidRequest('name must be 1 to 200 characters'));
    set.name = changes.name.trim();
  }
  const redirectUris = changes.redirectUris?.map((uri) => checkRedirectUriForType(validateRedirectUri(uri, 'redirect_uris'), client.type, 'redirect_uris')) ?? client.redirectUris;
  if (changes.redirectUris !== undefined) set.redirect_uris = JSON.stringify([...new Set(redirectUris)]);
  if (changes.postLogoutRedirectUris !== undefined) {
    set.post_logout_redirect_uris = JSON.stringify([...new Set(changes.postLogoutRedirectUris.map((uri) => validateRedirectUri(uri, 'post_logout_redirect_uris')))]);
  }
  const grantTypes = changes.grantTypes === undefined ? client.grantTypes : [...new Set(changes.grantTypes)];
  for (const grant of grantTypes) assert((SUPPORTED_GRANT_TYPES as readonly string[]).includes(grant), new InvalidRequest(`grant type "${grant}" is not supported`));
  assert(!(client.type === 'public' && grantTypes.includes('client_credentials')), new InvalidRequest('a public client cannot use client_credentials'));
  assert(!(grantTypes.includes('authorization_code') && redirectUris.length === 0), new InvalidRequest('authorization_code needs at least one redirect URI'));
  if (changes.grantTypes !== undefined) set.grant_types = JSON.stringify(grantTypes);
  if (changes.scopes !== undefined) {
    for (const scope of changes.scopes) assert(SCOPE_TOKEN.test(scope), new InvalidRequest(`scope "${scope}" has characters RFC 6749 §3.3 does not allow`));
    set.scopes = JSON.stringify([...new Set(changes.scopes)]);
  }
  if (changes.audience !== undefined) {
    assert(changes.audience === null || (changes.audience !== '' && changes.audience.length <= 500), new InvalidRequest('audience must be a non-empty string or null'));
    set.audience = changes.audience;
  }
  if (changes.tokenClaims !== undefined) {
    for (const claim of changes.tokenClaims) {
      assert((TOKEN_CLAIM_OPTIONS as readonly string[]).includes(claim), new InvalidRequest(`token claim "${claim}" is not one of ${TOKEN_CLAIM_OPTIONS.join(', ')}`));
    }
    set.token_claims = JSON.stringify([...new Set(changes.tokenClaims)]);
  }
  if (changes.logoUri !== undefined) set.logo_uri = validateClientPageUri(changes.logoUri, 'logo_uri');
  if (changes.policyUri !== undefined) set.policy_uri = validateClientPageUri(changes.policyUri, 'policy_uri');
  if (changes.tosUri !== undefined) set.tos_uri = validateClientPageUri(changes.tosUri, 'tos_uri');
  await clientAdminQueries(db).update(clientId, set, now);
  const updated = await requireClient(db, tenantId, clientId);
  return { client: updated, authorizationsReset: await resetAuthorizations(db, client, updated, now) };
}

/** Deletes the client and its service account (with the account's memberships, roles and API keys). */
export async function deleteClient(db: Database, tenantId: string, clientId: string): Promise<Client> {
  const client = await requireClient(db, tenantId, clientId);
  await clientAdminQueries(db).delete(client);
  return client;
}
