/**
 * Tables of interactive sign-in (migration 0002): browser sessions, pending interactions, authorization codes,
 * grants (one per authorization; the family every token issued from it belongs to), refresh tokens, the
 * access-token ids of each grant (so a grant's revocation reaches its JWTs) and remembered consents.
 * Opaque values (session cookies, interaction ids, codes, refresh tokens) are stored only as SHA-256 hashes.
 */

export interface BrowserSessionsTable {
  /** The public session id (`sid` in ID tokens). */
  id: string;
  tenant_id: string;
  user_id: string;
  /** SHA-256 (hex) of the session cookie's value. */
  token_hash: string;
  auth_time: number;
  created_at: number;
  expires_at: number;
  ended_at: number | null;
  /** JSON list of the RFC 8176 `amr` values this session was authenticated with; null (older rows) = `["pwd"]`. */
  amr: string | null;
  /** When the last factor was added (step-up); `auth_time` stays the first sign-in's. */
  factor_time: number | null;
  /** What the account page shows (migration 0007): where and with what the session started. */
  ip?: string | null;
  user_agent?: string | null;
}

export interface InteractionsTable {
  /** SHA-256 (hex) of the interaction id in the page URL. */
  id_hash: string;
  tenant_id: string;
  client_id: string;
  /** JSON of the validated authorization request (`AuthorizationRequest`). */
  request: string;
  /** Set once the user signed in during this interaction. */
  user_id: string | null;
  session_id: string | null;
  auth_time: number | null;
  created_at: number;
  expires_at: number;
  /** Set when the interaction ended (code issued or request denied); it cannot be resumed after. */
  completed_at: number | null;
}

export interface GrantsTable {
  id: string;
  tenant_id: string;
  client_id: string;
  user_id: string;
  /** The browser session the grant came from; null for the password grant. */
  session_id: string | null;
  /** Space-separated granted scopes. */
  scope: string;
  auth_time: number;
  /** JSON list of the session's `amr` at the time of the grant; null for grants older than strong sign-in. */
  amr: string | null;
  acr: string | null;
  /** 1 when `offline_access` was granted: refresh tokens outlive the browser session. */
  offline: number;
  created_at: number;
  revoked_at: number | null;
  /** JSON array of the RFC 8707 resources authorized with the grant; absent or null when none was named. */
  resources?: string | null;
}

export interface AuthorizationCodesTable {
  code_hash: string;
  grant_id: string;
  tenant_id: string;
  client_id: string;
  redirect_uri: string;
  code_challenge: string | null;
  nonce: string | null;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

export interface RefreshTokensTable {
  token_hash: string;
  /** A non-secret id, for logs and audit events. */
  id: string;
  grant_id: string;
  tenant_id: string;
  client_id: string;
  scope: string;
  created_at: number;
  expires_at: number;
  /** Set when the token was exchanged for a new one (rotation); reuse after that revokes the family. */
  rotated_at: number | null;
  revoked_at: number | null;
}

export interface GrantAccessTokensTable {
  jti: string;
  grant_id: string;
  expires_at: number;
}

export interface ConsentsTable {
  tenant_id: string;
  user_id: string;
  client_id: string;
  /** One scope the user agreed to for this client (one row per scope, so agreeing never reads first). */
  scope: string;
  created_at: number;
}

export interface SignInTables {
  browser_sessions: BrowserSessionsTable;
  interactions: InteractionsTable;
  grants: GrantsTable;
  authorization_codes: AuthorizationCodesTable;
  refresh_tokens: RefreshTokensTable;
  grant_access_tokens: GrantAccessTokensTable;
  consents: ConsentsTable;
}
