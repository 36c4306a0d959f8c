/**
 * Connections: a tenant's upstream identity providers, as directory objects. Settings are plain JSON (never a
 * secret); secrets (client secret, private keys) are sealed at rest under LATCHKEY_SECRET like signing keys
 * (`tokens/jose.ts` SecretBox) and never leave the server again. The email domains a connection claims are
 * unique per tenant (home-realm discovery must have one answer).
 */
import type { Latchkey } from '../context.ts';
import type { Database } from '../db/database.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { connectionQueries } from '../db/queries/connections.ts';
import type { ConnectionRow } from '../db/queries/connections.ts';
import type { ConnectionType } from '../db/schema-federation.ts';
import { Conflict, InvalidRequest, NotFound, assert } from '../errors/oauth-error.ts';
import { SecretBox } from '../tokens/jose.ts';
import { newId } from '../util/ids.ts';
import { checkName, checkSlug } from '../directory/field-checks.ts';
import { PRESETS, presetFacts } from './presets.ts';
import type { Preset } from './presets.ts';
import { parseIdpMetadata } from './saml-metadata.ts';

export const CONNECTION_TYPES: readonly ConnectionType[] = ['oidc', 'oauth2', 'saml'];
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

/** Which upstream claim (or SAML attribute) feeds which user field. */
export interface ClaimMapping {
  readonly email: string;
  readonly email_verified: string;
  readonly given_name: string;
  readonly family_name: string;
  readonly name: string;
  readonly groups: string;
}

export const DEFAULT_CLAIM_MAPPING: ClaimMapping = { email: 'email', email_verified: 'email_verified', given_name: 'given_name', family_name: 'family_name', name: 'name', groups: 'groups' };

export interface ConnectionSettings {
  readonly issuer?: string;
  readonly client_id?: string;
  readonly client_auth?: ClientAuthMethod;
  readonly scopes?: readonly string[];
  /** Entra ID: the directories (`tid`) allowed to sign in; empty = any. */
  readonly allowed_tenant_ids?: readonly string[];
  /** SAML: the IdP metadata, fetched from a URL or given as XML (entity id, SSO URL, certificates). */
  readonly idp_metadata_url?: string;
  readonly idp_metadata_xml?: string;
  /** SAML, read from the IdP metadata when it is imported (never typed in by hand). */
  readonly idp_entity_id?: string;
  readonly idp_sso_url?: string;
  readonly idp_certificates?: readonly string[];
  /** SP certificate (public, PEM) published in the SP metadata; its private key is sealed. */
  readonly sp_certificate?: string;
  /** Link to an existing local account by email when the upstream says the email is verified. */
  readonly trust_email: boolean;
  /** Create a local account at the first sign-in. */
  readonly create_users: boolean;
  /** Replace the user's mapped groups with the upstream's at each sign-in. */
  readonly sync_groups: boolean;
  /** Upstream group -> Latchkey group names. */
  readonly group_mapping: Readonly<Record<string, readonly string[]>>;
  readonly claim_mapping: ClaimMapping;
  /** Keep the upstream tokens (sealed) for the token-retrieval admin route. */
  readonly store_tokens: boolean;
  /** Put the connection slug into ID tokens as `idp`. */
  readonly idp_claim: boolean;
}

export interface ConnectionSecrets {
  readonly client_secret?: string;
  /** private_key_jwt: the private JWK (JSON) the client authenticates with. */
  readonly private_key_jwk?: Record<string, unknown>;
  /** SAML: the SP's private key (PEM) that signs AuthnRequests. */
  readonly sp_private_key?: string;
}

export interface Connection {
  readonly id: string;
  readonly tenantId: string;
  readonly slug: string;
  readonly name: string;
  readonly type: ConnectionType;
  readonly preset: Preset | null;
  readonly enabled: boolean;
  readonly settings: ConnectionSettings;
  readonly domains: readonly string[];
  readonly hasSecrets: boolean;
  /** The sealed secrets (opened only where an upstream call needs them). */
  readonly secretsJwe: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What the admin API and CLI send (snake case, as the API). */
export interface ConnectionInput {
  readonly slug?: string;
  readonly name?: string;
  readonly type?: ConnectionType;
  readonly preset?: Preset | null;
  readonly enabled?: boolean;
  readonly domains?: readonly string[];
  readonly settings?: Partial<Record<keyof ConnectionSettings, unknown>>;
  readonly secrets?: ConnectionSecrets;
}

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

function sealBox(ctx: Latchkey): SecretBox {
  return new SecretBox(ctx.masterSecret, 'federation-connections');
}

export async function sealSecrets(ctx: Latchkey, secrets: ConnectionSecrets): Promise<string> {
  return sealBox(ctx).seal(JSON.stringify(secrets));
}

export async function openSecrets(ctx: Latchkey, connection: Pick<ConnectionRow, 'secrets_jwe'>): Promise<ConnectionSecrets> {
  return connection.secrets_jwe === null ? {} : (JSON.parse(await sealBox(ctx).open(connection.secrets_jwe)) as ConnectionSecrets);
}

/** Upstream URLs must be https, except loopback (a provider on the same machine, and the tests). */
export function checkUpstreamUrl(value: unknown, field: string): string {
  assert(typeof value === 'string' && value.length <= 2000, new InvalidRequest(`${field} must be a URL`));
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidRequest(`${field} must be a URL`);
  }
  assert(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname)), new InvalidRequest(`${field} must use https`));
  assert(url.username === '' && url.password === '' && url.hash === '', new InvalidRequest(`${field} must not carry credentials or a fragment`));
  return value;
}

export function isLoopback(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

function stringList(value: unknown, field: string, max = 50): string[] {
  assert(Array.isArray(value) && value.length <= max && value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 200), new InvalidRequest(`${field} must be a list of at most ${max} strings`));
  return value as string[];
}

function flag(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  assert(typeof value === 'boolean', new InvalidRequest(`${field} must be true or false`));
  return value;
}

export function checkDomains(domains: unknown): string[] {
  const list = stringList(domains, 'domains', 100).map((d) => d.trim().toLowerCase());
  for (const domain of list) assert(DOMAIN.test(domain), new InvalidRequest(`"${domain.slice(0, 100)}" is not a domain name`));
  assert(new Set(list).size === list.length, new InvalidRequest('domains lists a domain twice'));
  return list;
}

function checkMapping(value: unknown): Record<string, string[]> {
  assert(typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length <= 200, new InvalidRequest('group_mapping must map upstream group names to lists of group names'));
  return Object.fromEntries(Object.entries(value).map(([upstream, groups]) => [upstream, stringList(groups, `group_mapping.${upstream.slice(0, 50)}`)]));
}

function checkClaimMapping(value: unknown, base: ClaimMapping): ClaimMapping {
  if (value === undefined) return base;
  assert(typeof value === 'object' && value !== null && !Array.isArray(value), new InvalidRequest('claim_mapping must be an object'));
  const out: Record<string, string> = { ...base };
  for (const [key, claim] of Object.entries(value)) {
    assert(key in DEFAULT_CLAIM_MAPPING, new InvalidRequest(`claim_mapping has no field "${key.slice(0, 50)}"`));
    assert(typeof claim === 'string' && claim.length > 0 && claim.length <= 300, new InvalidRequest(`claim_mapping.${key} must be a claim or attribute name`));
    out[key] = claim;
  }
  return out as unknown as ClaimMapping;
}

/** Merges `input` over `current` (or defaults) and checks the result for the connection's type. */
export function checkSettings(type: ConnectionType, preset: Preset | null, input: ConnectionInput['settings'] = {}, current?: ConnectionSettings): ConnectionSettings {
  const known = new Set(['issuer', 'client_id', 'client_auth', 'scopes', 'allowed_tenant_ids', 'idp_metadata_url', 'idp_metadata_xml', 'sp_certificate', 'trust_email', 'create_users', 'sync_groups', 'group_mapping', 'claim_mapping', 'store_tokens', 'idp_claim']);
  const unknown = Object.keys(input).filter((k) => !known.has(k));
  assert(unknown.length === 0, new InvalidRequest(`unknown settings: ${unknown.join(', ').slice(0, 200)}`));
  const merged: Record<string, unknown> = { ...current, ...input };
  const facts = preset === null ? undefined : presetFacts(preset);
  const settings: Record<string, unknown> = {
    trust_email: flag(merged.trust_email, 'trust_email', false),
    create_users: flag(merged.create_users, 'create_users', true),
    sync_groups: flag(merged.sync_groups, 'sync_groups', false),
    store_tokens: flag(merged.store_tokens, 'store_tokens', false),
    idp_claim: flag(merged.idp_claim, 'idp_claim', false),
    group_mapping: merged.group_mapping === undefined ? {} : checkMapping(merged.group_mapping),
    claim_mapping: checkClaimMapping(merged.claim_mapping, DEFAULT_CLAIM_MAPPING),
  };
  if (type === 'oidc' || type === 'oauth2') {
    assert(typeof merged.client_id === 'string' && merged.client_id.length > 0 && merged.client_id.length <= 500, new InvalidRequest('settings.client_id is required'));
    settings.client_id = merged.client_id;
    const auth = merged.client_auth ?? 'client_secret_basic';
    assert(CLIENT_AUTH_METHODS.includes(auth as ClientAuthMethod), new InvalidRequest(`settings.client_auth must be one of ${CLIENT_AUTH_METHODS.join(', ')}`));
    settings.client_auth = auth;
    settings.scopes = merged.scopes === undefined ? [...(facts?.scopes ?? ['openid', 'email', 'profile'])] : stringList(merged.scopes, 'settings.scopes');
  }
  if (type === 'oidc') {
    const issuer = merged.issuer ?? facts?.issuer;
    settings.issuer = checkUpstreamUrl(issuer, 'settings.issuer');
    assert((settings.scopes as string[]).includes('openid'), new InvalidRequest('settings.scopes of an oidc connection must include openid'));
    if (merged.allowed_tenant_ids !== undefined) settings.allowed_tenant_ids = stringList(merged.allowed_tenant_ids, 'settings.allowed_tenant_ids', 200);
  }
  if (type === 'oauth2') assert(preset === 'github', new InvalidRequest('an oauth2 connection needs a preset (github)'));
  if (type === 'saml') {
    assert(merged.idp_metadata_url !== undefined || merged.idp_metadata_xml !== undefined, new InvalidRequest('a saml connection needs settings.idp_metadata_url or settings.idp_metadata_xml'));
    if (merged.idp_metadata_url !== undefined) settings.idp_metadata_url = checkUpstreamUrl(merged.idp_metadata_url, 'settings.idp_metadata_url');
    if (merged.idp_metadata_xml !== undefined) {
      assert(typeof merged.idp_metadata_xml === 'string' && merged.idp_metadata_xml.length <= 200_000 && merged.idp_metadata_xml.includes('EntityDescriptor'), new InvalidRequest('settings.idp_metadata_xml must be SAML metadata (an EntityDescriptor)'));
      settings.idp_metadata_xml = merged.idp_metadata_xml;
    }
    if (merged.sp_certificate !== undefined) settings.sp_certificate = merged.sp_certificate;
    // A new metadata source replaces the other one.
    if (input.idp_metadata_url !== undefined) delete settings.idp_metadata_xml;
    if (input.idp_metadata_xml !== undefined) delete settings.idp_metadata_url;
  }
  return settings as unknown as ConnectionSettings;
}

const PEM_CERTIFICATE = /^-----BEGIN CERTIFICATE-----\s+[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----\s*$/;

/**
 * SAML: reads the IdP metadata (the XML given, or fetched from its URL now) into the settings, and checks the SP
 * certificate whose private key (a secret) signs the AuthnRequests.
 */
async function withIdpMetadata(settings: ConnectionSettings, hasSpKey: boolean): Promise<ConnectionSettings> {
  let xml = settings.idp_metadata_xml;
  if (xml === undefined) {
    let response: Response;
    try {
      response = await fetch(settings.idp_metadata_url!, { signal: AbortSignal.timeout(10_000), redirect: 'error' });
    } catch {
      throw new InvalidRequest('the IdP metadata URL could not be fetched');
    }
    assert(response.ok, new InvalidRequest(`the IdP metadata URL answered ${response.status}`));
    xml = await response.text();
    assert(xml.length <= 500_000, new InvalidRequest('the IdP metadata is too large'));
  }
  const metadata = parseIdpMetadata(xml);
  assert(typeof settings.sp_certificate === 'string' && PEM_CERTIFICATE.test(settings.sp_certificate), new InvalidRequest('a saml connection needs settings.sp_certificate (PEM) and secrets.sp_private_key: AuthnRequests are signed'));
  assert(hasSpKey, new InvalidRequest('a saml connection needs secrets.sp_private_key (PEM): AuthnRequests are signed'));
  return { ...settings, idp_entity_id: metadata.entityId, idp_sso_url: checkUpstreamUrl(metadata.ssoUrl, 'the IdP SingleSignOnService'), idp_certificates: metadata.certificates };
}

function checkPreset(value: unknown): Preset | null {
  if (value === undefined || value === null) return null;
  assert(PRESETS.includes(value as Preset), new InvalidRequest(`preset must be one of ${PRESETS.join(', ')}`));
  return value as Preset;
}

function checkSecrets(type: ConnectionType, secrets: ConnectionSecrets | undefined): ConnectionSecrets | undefined {
  if (secrets === undefined) return undefined;
  assert(typeof secrets === 'object' && secrets !== null, new InvalidRequest('secrets must be an object'));
  const allowed = type === 'saml' ? ['sp_private_key'] : ['client_secret', 'private_key_jwk'];
  const unknown = Object.keys(secrets).filter((k) => !allowed.includes(k));
  assert(unknown.length === 0, new InvalidRequest(`secrets of a ${type} connection may only hold ${allowed.join(', ')}`));
  return secrets;
}

export function toConnection(row: ConnectionRow, domains: readonly string[]): Connection {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    slug: row.slug,
    name: row.name,
    type: row.type,
    preset: row.preset as Preset | null,
    enabled: row.enabled === 1,
    settings: JSON.parse(row.settings) as ConnectionSettings,
    domains,
    hasSecrets: row.secrets_jwe !== null,
    secretsJwe: row.secrets_jwe,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function requireConnection(db: Database, tenantId: string, idOrSlug: string): Promise<Connection> {
  const queries = connectionQueries(db);
  const row = idOrSlug.length <= 100 ? await queries.find(tenantId, idOrSlug) : undefined;
  if (!row) throw new NotFound('no such connection');
  return toConnection(row, await queries.domains(row.id));
}

async function writeDomains(db: Database, tenantId: string, connectionId: string, domains: readonly string[]): Promise<void> {
  try {
    await connectionQueries(db).setDomains(tenantId, connectionId, domains);
  } catch (error) {
    if (isUniqueViolation(error)) throw new Conflict('a domain in the list is already claimed by another connection of this tenant');
    throw error;
  }
}

async function checkDomainsFree(db: Database, tenantId: string, connectionId: string, domains: readonly string[]): Promise<void> {
  for (const domain of domains) {
    const owner = await connectionQueries(db).domainOwner(tenantId, domain);
    assert(owner === undefined || owner === connectionId, new Conflict(`the domain ${domain} is already claimed by another connection of this tenant`));
  }
}

/** `db` is the caller's transaction (admin changes commit with their audit event). */
export async function createConnection(ctx: Latchkey, db: Database, tenantId: string, input: ConnectionInput): Promise<Connection> {
  const preset = checkPreset(input.preset);
  const type = input.type ?? (preset === null ? undefined : presetFacts(preset).type);
  assert(type !== undefined && CONNECTION_TYPES.includes(type), new InvalidRequest(`type must be one of ${CONNECTION_TYPES.join(', ')}`));
  assert(preset === null || presetFacts(preset).type === type, new InvalidRequest(`the ${preset} preset is a connection of type ${preset === null ? '' : presetFacts(preset).type}`));
  const secrets = checkSecrets(type, input.secrets);
  let settings = checkSettings(type, preset, input.settings);
  if (type === 'saml') settings = await withIdpMetadata(settings, typeof secrets?.sp_private_key === 'string');
  const domains = input.domains === undefined ? [] : checkDomains(input.domains);
  const now = ctx.now();
  const row: ConnectionRow = {
    id: newId('con', now),
    tenant_id: tenantId,
    slug: checkSlug(input.slug ?? preset),
    name: checkName(input.name ?? (preset === null ? undefined : presetFacts(preset).name), 200),
    type,
    preset,
    enabled: input.enabled === false ? 0 : 1,
    settings: JSON.stringify(settings),
    secrets_jwe: secrets === undefined ? null : await sealSecrets(ctx, secrets),
    created_at: now,
    updated_at: now,
  };
  await checkDomainsFree(db, tenantId, row.id, domains);
  try {
    await connectionQueries(db).insert(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw new Conflict(`a connection named "${row.slug}" already exists in this tenant`);
    throw error;
  }
  await writeDomains(db, tenantId, row.id, domains);
  return toConnection(row, domains);
}

export async function updateConnection(ctx: Latchkey, db: Database, tenantId: string, idOrSlug: string, input: ConnectionInput): Promise<Connection> {
  const current = await requireConnection(db, tenantId, idOrSlug);
  assert(input.type === undefined || input.type === current.type, new InvalidRequest('the type of a connection cannot change; create another'));
  assert(input.preset === undefined || input.preset === current.preset, new InvalidRequest('the preset of a connection cannot change; create another'));
  const changes: Partial<ConnectionRow> = { updated_at: ctx.now() };
  if (input.slug !== undefined) changes.slug = checkSlug(input.slug);
  if (input.name !== undefined) changes.name = checkName(input.name, 200);
  if (input.enabled !== undefined) changes.enabled = input.enabled ? 1 : 0;
  const secrets = checkSecrets(current.type, input.secrets);
  if (input.settings !== undefined) {
    let settings = checkSettings(current.type, current.preset, input.settings, current.settings);
    const spKey = secrets?.sp_private_key !== undefined || (secrets === undefined && current.hasSecrets);
    if (current.type === 'saml') settings = await withIdpMetadata(settings, spKey);
    changes.settings = JSON.stringify(settings);
  }
  if (secrets !== undefined) changes.secrets_jwe = await sealSecrets(ctx, secrets);
  try {
    await connectionQueries(db).update(current.id, changes);
  } catch (error) {
    if (isUniqueViolation(error)) throw new Conflict(`a connection named "${changes.slug}" already exists in this tenant`);
    throw error;
  }
  if (input.domains !== undefined) {
    const domains = checkDomains(input.domains);
    await checkDomainsFree(db, tenantId, current.id, domains);
    await writeDomains(db, tenantId, current.id, domains);
  }
  return requireConnection(db, tenantId, current.id);
}

export async function deleteConnection(db: Database, tenantId: string, idOrSlug: string): Promise<Connection> {
  const connection = await requireConnection(db, tenantId, idOrSlug);
  await connectionQueries(db).delete(connection.id);
  return connection;
}

/** The public view: settings without secrets (there are none in settings), and whether secrets are set. */
export function describeConnection(connection: Connection, baseUrl: string, tenantSlug: string) {
  const base = `${baseUrl}/t/${tenantSlug}/federation/${connection.slug}`;
  return {
    id: connection.id,
    tenant_id: connection.tenantId,
    slug: connection.slug,
    name: connection.name,
    type: connection.type,
    preset: connection.preset,
    enabled: connection.enabled,
    domains: [...connection.domains],
    settings: connection.settings as unknown as Record<string, unknown>,
    has_secrets: connection.hasSecrets,
    callback_url: connection.type === 'saml' ? `${base}/acs` : `${base}/callback`,
    ...(connection.type === 'saml' ? { sp_metadata_url: `${base}/metadata` } : {}),
    created_at: new Date(connection.createdAt).toISOString(),
    updated_at: new Date(connection.updatedAt).toISOString(),
  };
}
