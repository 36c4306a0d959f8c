/**
 * Table types for Kysely. Times are epoch milliseconds (int8), JSON columns are text (parsed in queries/), so
 * the same rows work on SQLite and PostgreSQL. Each area keeps its tables in its own file; `Schema` joins them.
 */
import type { Generated } from 'kysely';
import type { SignInTables } from './schema-sign-in.ts';
import type { BrandingTables } from './schema-branding.ts';
import type { AuthenticationTables } from './schema-authentication.ts';
import type { ResourceTables } from './schema-resources.ts';
import type { FederationTables } from './schema-federation.ts';
import type { AccountTables } from './schema-accounts.ts';

export interface PartnersTable {
  id: string;
  slug: string;
  name: string;
  created_at: number;
  updated_at: number;
}

export interface TenantsTable {
  id: string;
  slug: string;
  name: string;
  partner_id: string | null;
  /** JSON of `TenantSettings`. */
  settings: string;
  created_at: number;
  updated_at: number;
}

export interface SigningKeysTable {
  kid: string;
  tenant_id: string;
  alg: string;
  /** JSON public JWK (with kid, alg, use). */
  public_jwk: string;
  /** The private JWK, encrypted under LATCHKEY_SECRET as a compact JWE. */
  private_jwe: string;
  /** The key signs from this time on (until a newer key of the same tenant and algorithm activates). */
  activates_at: number;
  /** Set when a newer key takes over: the key stays in JWKS until every token it signed has expired. */
  publish_until: number | null;
  created_at: number;
}

export type UserKind = 'person' | 'service';
export type UserStatus = 'active' | 'disabled' | 'locked';
/** `auditor` reads what a tenant_admin of its tenant reads and changes nothing (`admin/routes.ts`). */
export type AdminRole = 'auditor' | 'tenant_admin' | 'partner_admin' | 'super_admin';

export interface UsersTable {
  id: string;
  tenant_id: string;
  kind: UserKind;
  email: string | null;
  /** Lower-cased email: unique per tenant, so sign-in is case-insensitive. */
  email_normalized: string | null;
  username: string | null;
  username_normalized: string | null;
  first_name: string | null;
  last_name: string | null;
  display_name: string | null;
  status: UserStatus;
  password_hash: string | null;
  /** The user's primary role name (seed 003 `role`). */
  role: string | null;
  admin_role: AdminRole | null;
  /** When the user proved they receive mail at `email` (migration 0007); null: not verified. */
  email_verified_at?: number | null;
  created_at: number;
  updated_at: number;
}

export type ClientType = 'confidential' | 'public';

export interface ClientsTable {
  client_id: string;
  tenant_id: string;
  name: string;
  type: ClientType;
  /** SHA-256 (hex) of the client secret; the secret itself is shown once and never stored. */
  secret_hash: string | null;
  secret_created_at: number | null;
  /** JSON string arrays. */
  redirect_uris: string;
  post_logout_redirect_uris: string;
  grant_types: string;
  scopes: string;
  /** Access-token audience; null means the client_id (seed 000). */
  audience: string | null;
  /** JSON array: which of groups, roles, permissions, tenant_id, tenant_slug, partner_id go into access tokens. */
  token_claims: string;
  /** The service account of a confidential client: the `sub` of its client_credentials tokens. */
  service_user_id: string | null;
  /** RFC 7591 §2 metadata shown on the sign-in page (https only); optional on insert (migration 0004). */
  logo_uri?: string | null;
  policy_uri?: string | null;
  tos_uri?: string | null;
  created_at: number;
  updated_at: number;
}

export interface GroupsTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string | null;
  created_at: number;
  updated_at: number;
}

export interface GroupMembersTable {
  group_id: string;
  user_id: string;
  created_at: number;
}

export interface GroupParentsTable {
  child_group_id: string;
  parent_group_id: string;
  created_at: number;
}

export interface RolesTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string | null;
  /** JSON string array of permission names (`mail.send`). */
  permissions: string;
  created_at: number;
  updated_at: number;
}

export interface UserRolesTable {
  user_id: string;
  role_id: string;
  created_at: number;
}

export interface GroupRolesTable {
  group_id: string;
  role_id: string;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  tenant_id: string;
  owner_user_id: string;
  name: string;
  mode: 'live' | 'test';
  /** SHA-256 (hex) of the whole key. */
  key_hash: string;
  /** The key's first characters, to recognise it in lists (`sg_live_AbC…`). */
  display_prefix: string;
  /** JSON string array, or null for "everything the owner holds". */
  permissions: string | null;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
  created_at: number;
}

export interface AuditEventsTable {
  id: string;
  tenant_id: string | null;
  occurred_at: number;
  action: string;
  outcome: 'success' | 'failure';
  actor_type: string | null;
  actor_id: string | null;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  /** JSON object with anything else worth keeping (never a secret). */
  details: string;
}

/** Access tokens (JWTs) revoked before expiry, by jti (RFC 7009); rows are dropped once the token expires. */
export interface RevokedAccessTokensTable {
  jti: string;
  expires_at: number;
}

export interface MigrationsMarker {
  // Kysely keeps its own bookkeeping tables; nothing to declare here.
  readonly _?: Generated<never>;
}

export interface FoundationTables {
  partners: PartnersTable;
  tenants: TenantsTable;
  signing_keys: SigningKeysTable;
  users: UsersTable;
  clients: ClientsTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  group_parents: GroupParentsTable;
  roles: RolesTable;
  user_roles: UserRolesTable;
  group_roles: GroupRolesTable;
  api_keys: ApiKeysTable;
  audit_events: AuditEventsTable;
  revoked_access_tokens: RevokedAccessTokensTable;
}

/** One-time links that create the first super admin (`directory/bootstrap.ts`); only the token's SHA-256 is kept. */
export interface BootstrapTokensTable {
  token_hash: string;
  /** The email the link is for (`latchkey admin bootstrap --email`), or null: the page asks. */
  email: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface ConsoleTables {
  bootstrap_tokens: BootstrapTokensTable;
}

/** One row (`id` 1): bumped after every change other instances' caches must see (`db/change-announcing-driver.ts`). */
export interface DirectoryChangesTable {
  id: number;
  version: number;
}

export interface CacheSyncTables {
  directory_changes: DirectoryChangesTable;
}

export interface Schema extends FoundationTables, SignInTables, BrandingTables, AuthenticationTables, ResourceTables, FederationTables, AccountTables, ConsoleTables, CacheSyncTables {}
