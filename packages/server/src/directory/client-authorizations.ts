/**
 * What users approved for a client was approved for that client as it was: its redirect URIs (where codes go),
 * its scopes, its grant types and how it authenticates. When an admin changes any of these, the stored consents
 * are dropped and the client's grants revoked (refresh tokens, unexpired access tokens, unredeemed codes), so
 * the next authorization asks again and `prompt=none` cannot carry an old approval to a new redirect URI
 * (OpenID Connect Core §3.1.2.1: prompt=none answers consent_required when consent is missing).
 */
import type { Database } from '../db/database.ts';
import { consentQueries } from '../db/queries/consents.ts';
import { grantQueries } from '../db/queries/grants.ts';
import type { Client } from '../db/queries/clients.ts';

/** What was ended, for the API answer and the audit event; null when nothing that approvals depend on changed. */
export interface AuthorizationsReset {
  /** The client fields whose change caused the reset (API names). */
  readonly changed: readonly string[];
  /** Users whose approval was forgotten. */
  readonly consents: number;
  /** Grants revoked with their refresh tokens. */
  readonly grants: number;
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && new Set([...a, ...b]).size === a.length;

/** The approval-relevant fields that differ between two versions of a client. */
export function approvalFieldsChanged(before: Client, after: Client): string[] {
  const changed: string[] = [];
  if (!sameSet(before.redirectUris, after.redirectUris)) changed.push('redirect_uris');
  if (!sameSet(before.scopes, after.scopes)) changed.push('scopes');
  if (!sameSet(before.grantTypes, after.grantTypes)) changed.push('grant_types');
  if (before.type !== after.type) changed.push('token_endpoint_auth_method');
  return changed;
}

export async function resetAuthorizations(db: Database, before: Client, after: Client, now: number): Promise<AuthorizationsReset | null> {
  const changed = approvalFieldsChanged(before, after);
  if (changed.length === 0) return null;
  const consents = await consentQueries(db).forgetClient(after.clientId);
  const grants = await grantQueries(db).revokeAllOfClient(after.clientId, now);
  return { changed, consents, grants };
}
