/**
 * The console's typed client of /admin/v1, and the only way it talks to the server. Each operation is the
 * OpenAPI operationId with its method and path, and each model lists its fields; `test/api-contract.test.ts`
 * checks both against the served OpenAPI document, so the console and the API cannot drift apart.
 */
import { apiFetch } from './sdk.ts';

export const ADMIN_API = '/admin/v1';

export const OPERATIONS = {
  getMe: ['GET', '/me'],
  bootstrapSuperAdmin: ['POST', '/bootstrap'],
  getMetricsSummary: ['GET', '/metrics/summary'],
  listPartners: ['GET', '/partners'],
  createPartner: ['POST', '/partners'],
  listTenants: ['GET', '/tenants'],
  createTenant: ['POST', '/tenants'],
  getTenant: ['GET', '/tenants/{tenant}'],
  updateTenant: ['PATCH', '/tenants/{tenant}'],
  listUsers: ['GET', '/tenants/{tenant}/users'],
  createUser: ['POST', '/tenants/{tenant}/users'],
  getUser: ['GET', '/tenants/{tenant}/users/{userId}'],
  updateUser: ['PATCH', '/tenants/{tenant}/users/{userId}'],
  explainUserPermissions: ['GET', '/tenants/{tenant}/users/{userId}/permissions'],
  listUserSessions: ['GET', '/tenants/{tenant}/users/{userId}/sessions'],
  signOutUser: ['POST', '/tenants/{tenant}/users/{userId}/sign-out'],
  listUserGroups: ['GET', '/tenants/{tenant}/users/{userId}/groups'],
  listUserRoles: ['GET', '/tenants/{tenant}/users/{userId}/roles'],
  assignUserRole: ['PUT', '/tenants/{tenant}/users/{userId}/roles/{roleId}'],
  unassignUserRole: ['DELETE', '/tenants/{tenant}/users/{userId}/roles/{roleId}'],
  listClients: ['GET', '/tenants/{tenant}/clients'],
  createClient: ['POST', '/tenants/{tenant}/clients'],
  getClient: ['GET', '/tenants/{tenant}/clients/{clientId}'],
  updateClient: ['PATCH', '/tenants/{tenant}/clients/{clientId}'],
  deleteClient: ['DELETE', '/tenants/{tenant}/clients/{clientId}'],
  rotateClientSecret: ['POST', '/tenants/{tenant}/clients/{clientId}/secret'],
  listGroups: ['GET', '/tenants/{tenant}/groups'],
  listGroupEdges: ['GET', '/tenants/{tenant}/group-edges'],
  createGroup: ['POST', '/tenants/{tenant}/groups'],
  getGroup: ['GET', '/tenants/{tenant}/groups/{groupId}'],
  listGroupParents: ['GET', '/tenants/{tenant}/groups/{groupId}/parents'],
  addGroupParent: ['PUT', '/tenants/{tenant}/groups/{groupId}/parents/{parentId}'],
  removeGroupParent: ['DELETE', '/tenants/{tenant}/groups/{groupId}/parents/{parentId}'],
  listGroupMembers: ['GET', '/tenants/{tenant}/groups/{groupId}/members'],
  addGroupMember: ['PUT', '/tenants/{tenant}/groups/{groupId}/members/{userId}'],
  removeGroupMember: ['DELETE', '/tenants/{tenant}/groups/{groupId}/members/{userId}'],
  listGroupRoles: ['GET', '/tenants/{tenant}/groups/{groupId}/roles'],
  assignGroupRole: ['PUT', '/tenants/{tenant}/groups/{groupId}/roles/{roleId}'],
  unassignGroupRole: ['DELETE', '/tenants/{tenant}/groups/{groupId}/roles/{roleId}'],
  listRoles: ['GET', '/tenants/{tenant}/roles'],
  createRole: ['POST', '/tenants/{tenant}/roles'],
  updateRole: ['PATCH', '/tenants/{tenant}/roles/{roleId}'],
  listApiKeys: ['GET', '/tenants/{tenant}/api-keys'],
  createApiKey: ['POST', '/tenants/{tenant}/api-keys'],
  revokeApiKey: ['DELETE', '/tenants/{tenant}/api-keys/{keyId}'],
  listSigningKeys: ['GET', '/tenants/{tenant}/signing-keys'],
  rotateSigningKey: ['POST', '/tenants/{tenant}/signing-keys/rotate'],
  getTenantBranding: ['GET', '/tenants/{tenant}/branding'],
  putTenantBranding: ['PUT', '/tenants/{tenant}/branding'],
  deleteTenantBranding: ['DELETE', '/tenants/{tenant}/branding'],
  listUserFactors: ['GET', '/tenants/{tenant}/users/{userId}/factors'],
  resetUserFactors: ['POST', '/tenants/{tenant}/users/{userId}/factors/reset'],
  getMfaEnrolmentReport: ['GET', '/tenants/{tenant}/mfa-report'],
  listApiResources: ['GET', '/tenants/{tenant}/resources'],
  createApiResource: ['POST', '/tenants/{tenant}/resources'],
  grantApiResource: ['PUT', '/tenants/{tenant}/resources/{resourceId}/clients/{clientId}'],
  listConnections: ['GET', '/tenants/{tenant}/connections'],
  createConnection: ['POST', '/tenants/{tenant}/connections'],
  updateConnection: ['PATCH', '/tenants/{tenant}/connections/{connection}'],
  listInvitations: ['GET', '/tenants/{tenant}/invitations'],
  createInvitation: ['POST', '/tenants/{tenant}/invitations'],
  revokeInvitation: ['POST', '/tenants/{tenant}/invitations/{invitationId}/revoke'],
  listAuditEvents: ['GET', '/audit-events'],
  exportAuditEvents: ['GET', '/audit-events/export'],
} as const;

export type OperationId = keyof typeof OPERATIONS;
export type AdminRole = 'auditor' | 'tenant_admin' | 'partner_admin' | 'super_admin';

export interface Page<T> { data: T[]; next_cursor: string | null }
export interface Me { type: 'user' | 'client'; id: string; role: AdminRole; tenant_id: string; tenant_slug: string; partner_id: string | null; email: string | null; can: { write: boolean; manage_partners: boolean; see_other_tenants: boolean; read_metrics: boolean } }
export interface Partner { id: string; slug: string; name: string; created_at: string; updated_at: string }
export interface Tenant { id: string; slug: string; name: string; partner_id: string | null; issuer: string; settings: Record<string, unknown>; created_at: string; updated_at: string }
export interface User {
  id: string; tenant_id: string; kind: 'person' | 'service'; email: string | null; username: string | null; first_name: string | null; last_name: string | null;
  display_name: string | null; status: 'active' | 'disabled' | 'locked'; role: string | null; admin_role: AdminRole | null; has_password: boolean; created_at: string; updated_at: string;
}
export interface Client {
  client_id: string; tenant: string; tenant_id: string; name: string; type: 'confidential' | 'public'; grant_types: string[]; redirect_uris: string[];
  post_logout_redirect_uris: string[]; scopes: string[]; audience: string; token_claims: string[]; service_account_id: string | null;
  token_endpoint_auth_method: string; created_at: string; updated_at: string; logo_uri: string | null; policy_uri: string | null; tos_uri: string | null;
}
export interface ClientWithSecret extends Client { client_secret?: string }
export interface Group { id: string; tenant_id: string; name: string; description: string | null; created_at: string; updated_at: string }
export interface GroupEdge { child_group_id: string; parent_group_id: string }
export interface Role { id: string; tenant_id: string; name: string; description: string | null; permissions: string[]; created_at: string; updated_at: string }
export interface ApiKey {
  id: string; tenant_id: string; owner_user_id: string; name: string; mode: 'live' | 'test'; display_prefix: string; permissions: string[] | null;
  expires_at: string | null; revoked_at: string | null; last_used_at: string | null; created_at: string;
}
export interface CreatedApiKey extends ApiKey { key: string }
export interface SigningKey { kid: string; alg: string; activates_at: string; publish_until: string | null; public_jwk: Record<string, unknown>; created_at: string }
export interface SigningKeyRotation { kid: string; alg: string; activates_at: string; signing_alg: string; signs_until_activation: { kid: string; alg: string } | null; retired_keys_published_until: string }
export interface AuditEvent {
  id: string; tenant_id: string | null; occurred_at: string; action: string; outcome: 'success' | 'failure'; actor_type: string | null; actor_id: string | null;
  target_type: string | null; target_id: string | null; ip: string | null; details: Record<string, unknown>;
}
export interface RoleSource { role_id: string; role: string; group_path: string[] }
export interface ExplainedAccess { roles: Array<RoleSource & { permissions: string[] }>; permissions: Array<{ permission: string; sources: RoleSource[] }> }
export interface BrowserSession { id: string; created_at: string; auth_time: string; expires_at: string; ended_at: string | null; live: boolean }
export interface MetricsSummary { tokens_issued: Record<string, number>; sign_ins: { succeeded: number; failed: number }; token_failures: number; requests: Record<string, number>; uptime_seconds: number }
export interface BootstrapResult { user_id: string; email: string; tenant: string }
export interface SignOut { sessions_ended: number; grants_revoked: number }
export interface RoleList { data: Role[] }
export interface Brand {
  display_name?: string; logo_url?: string; logo_alt?: string; primary_color?: string; accent_color?: string; appearance?: string;
  support_email?: string; terms_url?: string; privacy_url?: string; custom_css?: string;
}
export interface Factor { id: string; type: 'totp' | 'passkey'; name: string; created_at: string; last_used_at: string | null; device_type?: string | null; backed_up?: boolean }
export interface FactorList { data: Factor[]; recovery_codes_left: number }
export interface FactorReset { factors_removed: number }
export interface MfaEnrolmentReport { policy: 'off' | 'optional' | 'required'; required_for_admins: boolean; allowed_factors: string[]; people: number; enrolled: number; with_totp: number; with_passkey: number; admins_without_factor: string[] }
export interface ApiResource { id: string; tenant_id: string; identifier: string; name: string; scopes: string[]; token_lifetime: number | null; signing_alg: string | null; all_clients: boolean; created_at: string; updated_at: string }
export interface ApiResourceDetail extends ApiResource { client_ids: string[] }
export interface Connection {
  id: string; tenant_id: string; slug: string; name: string; type: 'oidc' | 'oauth2' | 'saml'; preset: string | null; enabled: boolean; domains: string[];
  settings: Record<string, unknown>; has_secrets: boolean; callback_url: string; sp_metadata_url?: string; created_at: string; updated_at: string;
}
export interface Invitation {
  id: string; tenant_id: string; email: string; first_name: string | null; last_name: string | null; role: string | null; status: 'pending' | 'accepted' | 'revoked' | 'expired';
  invited_by: string | null; created_at: string; sent_at: string; expires_at: string; accepted_at: string | null; user_id: string | null; revoked_at: string | null;
}
export interface TenantBranding { brand: Brand; inherited: Brand; effective: Brand }
export interface GroupList { data: Group[] }

/** What each operation answers (void: 204). */
export interface Results {
  getMe: Me; bootstrapSuperAdmin: BootstrapResult; getMetricsSummary: MetricsSummary;
  listPartners: Page<Partner>; createPartner: Partner;
  listTenants: Page<Tenant>; createTenant: Tenant; getTenant: Tenant; updateTenant: Tenant;
  listUsers: Page<User>; createUser: User; getUser: User; updateUser: User; explainUserPermissions: ExplainedAccess; listUserSessions: Page<BrowserSession>;
  signOutUser: SignOut; listUserGroups: GroupList; listUserRoles: RoleList; assignUserRole: void; unassignUserRole: void;
  listClients: Page<Client>; createClient: ClientWithSecret; getClient: Client; updateClient: Client; deleteClient: void; rotateClientSecret: ClientWithSecret;
  listGroups: Page<Group>; listGroupEdges: Page<GroupEdge>; createGroup: Group; getGroup: Group; listGroupParents: GroupList; addGroupParent: void; removeGroupParent: void;
  listGroupMembers: Page<User>; addGroupMember: void; removeGroupMember: void; listGroupRoles: RoleList; assignGroupRole: void; unassignGroupRole: void;
  listRoles: Page<Role>; createRole: Role; updateRole: Role;
  listApiKeys: Page<ApiKey>; createApiKey: CreatedApiKey; revokeApiKey: ApiKey;
  listSigningKeys: { data: SigningKey[] }; rotateSigningKey: SigningKeyRotation;
  getTenantBranding: TenantBranding; putTenantBranding: TenantBranding; deleteTenantBranding: void;
  listUserFactors: FactorList; resetUserFactors: FactorReset; getMfaEnrolmentReport: MfaEnrolmentReport;
  listApiResources: Page<ApiResource>; createApiResource: ApiResource; grantApiResource: ApiResourceDetail;
  listConnections: Page<Connection>; createConnection: Connection; updateConnection: Connection;
  listInvitations: Page<Invitation>; createInvitation: Invitation; revokeInvitation: Invitation;
  listAuditEvents: Page<AuditEvent>; exportAuditEvents: string;
}

/** Exactly the keys of T, checked by the compiler: the model's field list as a value the contract test can read. */
function fields<T>() {
  return <const K extends readonly (keyof T)[]>(keys: K & ([Exclude<keyof T, K[number]>] extends [never] ? unknown : 'missing fields')): K => keys;
}

/** Model name in the OpenAPI document → the fields the console reads. */
export const MODEL_FIELDS = {
  Me: fields<Me>()(['type', 'id', 'role', 'tenant_id', 'tenant_slug', 'partner_id', 'email', 'can']),
  Partner: fields<Partner>()(['id', 'slug', 'name', 'created_at', 'updated_at']),
  Tenant: fields<Tenant>()(['id', 'slug', 'name', 'partner_id', 'issuer', 'settings', 'created_at', 'updated_at']),
  User: fields<User>()(['id', 'tenant_id', 'kind', 'email', 'username', 'first_name', 'last_name', 'display_name', 'status', 'role', 'admin_role', 'has_password', 'created_at', 'updated_at']),
  Client: fields<Client>()(['client_id', 'tenant', 'tenant_id', 'name', 'type', 'grant_types', 'redirect_uris', 'post_logout_redirect_uris', 'scopes', 'audience', 'token_claims', 'service_account_id', 'token_endpoint_auth_method', 'created_at', 'updated_at', 'logo_uri', 'policy_uri', 'tos_uri']),
  Group: fields<Group>()(['id', 'tenant_id', 'name', 'description', 'created_at', 'updated_at']),
  GroupEdge: fields<GroupEdge>()(['child_group_id', 'parent_group_id']),
  Role: fields<Role>()(['id', 'tenant_id', 'name', 'description', 'permissions', 'created_at', 'updated_at']),
  ApiKey: fields<ApiKey>()(['id', 'tenant_id', 'owner_user_id', 'name', 'mode', 'display_prefix', 'permissions', 'expires_at', 'revoked_at', 'last_used_at', 'created_at']),
  SigningKey: fields<SigningKey>()(['kid', 'alg', 'activates_at', 'publish_until', 'public_jwk', 'created_at']),
  SigningKeyRotation: fields<SigningKeyRotation>()(['kid', 'alg', 'activates_at', 'signing_alg', 'signs_until_activation', 'retired_keys_published_until']),
  AuditEvent: fields<AuditEvent>()(['id', 'tenant_id', 'occurred_at', 'action', 'outcome', 'actor_type', 'actor_id', 'target_type', 'target_id', 'ip', 'details']),
  ExplainedAccess: fields<ExplainedAccess>()(['roles', 'permissions']),
  RoleSource: fields<RoleSource>()(['role_id', 'role', 'group_path']),
  BrowserSession: fields<BrowserSession>()(['id', 'created_at', 'auth_time', 'expires_at', 'ended_at', 'live']),
  MetricsSummary: fields<MetricsSummary>()(['tokens_issued', 'sign_ins', 'token_failures', 'requests', 'uptime_seconds']),
  BootstrapResult: fields<BootstrapResult>()(['user_id', 'email', 'tenant']),
  SignOut: fields<SignOut>()(['sessions_ended', 'grants_revoked']),
  Brand: fields<Required<Brand>>()(['display_name', 'logo_url', 'logo_alt', 'primary_color', 'accent_color', 'appearance', 'support_email', 'terms_url', 'privacy_url', 'custom_css']),
  TenantBranding: fields<TenantBranding>()(['brand', 'inherited', 'effective']),
  Invitation: fields<Invitation>()(['id', 'tenant_id', 'email', 'first_name', 'last_name', 'role', 'status', 'invited_by', 'created_at', 'sent_at', 'expires_at', 'accepted_at', 'user_id', 'revoked_at']),
  Connection: fields<Required<Connection>>()(['id', 'tenant_id', 'slug', 'name', 'type', 'preset', 'enabled', 'domains', 'settings', 'has_secrets', 'callback_url', 'sp_metadata_url', 'created_at', 'updated_at']),
  ApiResource: fields<ApiResource>()(['id', 'tenant_id', 'identifier', 'name', 'scopes', 'token_lifetime', 'signing_alg', 'all_clients', 'created_at', 'updated_at']),
  ApiResourceDetail: fields<ApiResourceDetail>()(['id', 'tenant_id', 'identifier', 'name', 'scopes', 'token_lifetime', 'signing_alg', 'all_clients', 'created_at', 'updated_at', 'client_ids']),
  Factor: fields<Required<Factor>>()(['id', 'type', 'name', 'created_at', 'last_used_at', 'device_type', 'backed_up']),
  FactorList: fields<FactorList>()(['data', 'recovery_codes_left']),
  FactorReset: fields<FactorReset>()(['factors_removed']),
  MfaEnrolmentReport: fields<MfaEnrolmentReport>()(['policy', 'required_for_admins', 'allowed_factors', 'people', 'enrolled', 'with_totp', 'with_passkey', 'admins_without_factor']),
} as const;

/** An answer other than 2xx, with the API's `error` code and description (shown to the admin as they are). */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, description: string) {
    super(description);
    this.status = status;
    this.code = code;
  }
}

export interface CallOptions {
  readonly path?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: unknown;
  /** Public operations (bootstrap) go without a token. */
  readonly anonymous?: boolean;
}

export function operationUrl(operation: OperationId, options: CallOptions = {}): string {
  const [, template] = OPERATIONS[operation];
  const path = template.replace(/\{([A-Za-z]+)\}/g, (_m, name: string) => {
    const value = options.path?.[name];
    if (value === undefined) throw new Error(`${operation}: missing path parameter ${name}`);
    return encodeURIComponent(value);
  });
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined && value !== '') query.set(key, String(value));
  const search = query.toString();
  return `${ADMIN_API}${path}${search === '' ? '' : `?${search}`}`;
}

export async function call<K extends OperationId>(operation: K, options: CallOptions = {}): Promise<Results[K]> {
  const [method] = OPERATIONS[operation];
  const init: RequestInit = { method, headers: options.body === undefined ? {} : { 'content-type': 'application/json' } };
  if (options.body !== undefined) init.body = JSON.stringify(options.body);
  const url = operationUrl(operation, options);
  const response = options.anonymous ? await fetch(url, init) : await apiFetch(url, init);
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok) {
    const body = (type.includes('json') ? await response.json().catch(() => ({})) : {}) as { error?: string; error_description?: string };
    throw new ApiError(response.status, body.error ?? 'error', body.error_description ?? `the server answered ${response.status}`);
  }
  if (response.status === 204) return undefined as Results[K];
  return (type.includes('json') ? await response.json() : await response.text()) as Results[K];
}
