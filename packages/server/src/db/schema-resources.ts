/** Tables of API resources, client registration and token exchange (migration 0005, issue 20). */

export interface ApiResourcesTable {
  id: string;
  tenant_id: string;
  /** The RFC 8707 resource indicator: an absolute URI without a fragment, unique per tenant; the tokens' `aud`. */
  identifier: string;
  name: string;
  /** JSON string array: the scopes (permissions) this resource defines. */
  scopes: string;
  /** Seconds; null means the tenant's access_token_lifetime. */
  token_lifetime: number | null;
  /** Null means the tenant's signing_alg. */
  signing_alg: string | null;
  /** 1: every client of the tenant may ask for it (what dynamically registered agents need); 0: only those granted. */
  all_clients: number;
  created_at: number;
  updated_at: number;
}

export interface ApiResourceClientsTable {
  resource_id: string;
  client_id: string;
  created_at: number;
}

export type RegistrationKind = 'dynamic' | 'metadata_document';

export interface ClientRegistrationsTable {
  client_id: string;
  tenant_id: string;
  kind: RegistrationKind;
  /** SHA-256 of the RFC 7592 registration access token; null for metadata-document clients. */
  registration_token_hash: string | null;
  /** The client ID metadata document URL (the client_id the client presents). */
  metadata_url: string | null;
  /** JSON: the client metadata as registered (RFC 7591 §2) or as last fetched. */
  metadata: string;
  created_at: number;
  updated_at: number;
}

export interface InitialAccessTokensTable {
  id: string;
  tenant_id: string;
  token_hash: string;
  name: string;
  single_use: number;
  expires_at: number | null;
  used_at: number | null;
  revoked_at: number | null;
  created_at: number;
}

export interface TokenExchangePoliciesTable {
  client_id: string;
  tenant_id: string;
  /** JSON of `TokenExchangePolicy`. */
  policy: string;
  updated_at: number;
}

export interface ResourceTables {
  api_resources: ApiResourcesTable;
  api_resource_clients: ApiResourceClientsTable;
  client_registrations: ClientRegistrationsTable;
  initial_access_tokens: InitialAccessTokensTable;
  token_exchange_policies: TokenExchangePoliciesTable;
}
