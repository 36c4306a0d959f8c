/**
 * Tables of federation (migration 0007, issue 18). Secrets (client secrets, private keys, upstream tokens, the
 * PKCE verifier and nonce of a round trip) are compact JWEs under LATCHKEY_SECRET; state values are SHA-256.
 */
export type ConnectionType = 'oidc' | 'oauth2' | 'saml';

export interface ConnectionsTable {
  id: string;
  tenant_id: string;
  /** The connection's name in URLs and in `idp_hint` (unique per tenant). */
  slug: string;
  name: string;
  type: ConnectionType;
  /** `github`, `google`, `entra` or null. */
  preset: string | null;
  enabled: number;
  /** JSON of `ConnectionSettings` (never a secret). */
  settings: string;
  /** JSON of `ConnectionSecrets`, sealed. */
  secrets_jwe: string | null;
  created_at: number;
  updated_at: number;
}

export interface ConnectionDomainsTable {
  tenant_id: string;
  /** Lower-case email domain; the primary key (tenant, domain) refuses a second claim. */
  domain: string;
  connection_id: string;
}

export interface FederatedIdentitiesTable {
  connection_id: string;
  /** The upstream's stable subject (`sub`, GitHub's numeric id, SAML NameID). */
  subject: string;
  tenant_id: string;
  user_id: string;
  email: string | null;
  /** Upstream tokens, sealed; only when the connection says `store_tokens`. */
  tokens_jwe: string | null;
  created_at: number;
  last_sign_in_at: number;
}

export interface FederationStatesTable {
  state_hash: string;
  tenant_id: string;
  connection_id: string;
  /** The interaction this round trip continues (its id hash). */
  interaction_hash: string;
  /** Sealed JSON: interaction id, PKCE verifier, nonce, SAML request id. */
  data_jwe: string;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

export interface SamlAssertionIdsTable {
  connection_id: string;
  assertion_id: string;
  expires_at: number;
}

/** A browser session that began with an upstream sign-in (its ID tokens carry `amr: ["fed"]`, and `idp`). */
export interface FederatedSessionsTable {
  session_id: string;
  connection_id: string;
  /** JSON string array: the upstream's own `amr`, as recorded. */
  upstream_amr: string;
  upstream_acr: string | null;
}

/** An upstream identity waiting for the user to prove the local account with the same email. */
export interface FederationPendingLinksTable {
  interaction_hash: string;
  tenant_id: string;
  connection_id: string;
  subject: string;
  user_id: string;
  email: string | null;
  expires_at: number;
}

export interface FederationTables {
  connections: ConnectionsTable;
  connection_domains: ConnectionDomainsTable;
  federated_identities: FederatedIdentitiesTable;
  federation_states: FederationStatesTable;
  saml_assertion_ids: SamlAssertionIdsTable;
  federation_pending_links: FederationPendingLinksTable;
  federated_sessions: FederatedSessionsTable;
}
