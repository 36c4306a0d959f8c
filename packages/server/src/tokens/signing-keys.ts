/**
 * Each tenant's signing keys: which key signs now, which keys JWKS publishes, and rotation. Imported private
 * keys are cached per instance for `cacheTtlMs`; a key rotated in through another instance or the CLI is
 * published (in the database) `activationDelayMs` before it signs, so every instance's JWKS shows it first.
 */
import type { Database } from '../db/database.ts';
import type { SigningKeysTable } from '../db/schema.ts';
import { signingKeyQueries } from '../db/queries/signing-keys.ts';
import { newId } from '../util/ids.ts';
import { generateSigningKeyPair, importPrivateSigningKey, SecretBox } from './jose.ts';
import type { JWK, PrivateSigningKey, SigningAlgorithm } from './jose.ts';

/** Per-process bounds: tenants whose keys are cached, and imported private keys (oldest dropped first). */
const MAX_CACHED_TENANTS = 10_000;
const MAX_IMPORTED_KEYS = 10_000;

function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  if (!map.has(key) && map.size >= max) map.delete(map.keys().next().value as K);
  map.set(key, value);
}

export interface SigningKeysOptions {
  readonly masterSecret: string;
  readonly cacheTtlMs: number;
  readonly activationDelayMs: number;
  readonly now?: () => number;
}

interface TenantKeys {
  readonly loadedAt: number;
  readonly rows: readonly SigningKeysTable[];
  readonly jwks: { keys: JWK[] };
}

export interface RotationResult {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly activatesAt: number;
  /** When the keys it replaces leave JWKS. */
  readonly retiredPublishUntil: number;
}

export class SigningKeys {
  readonly #queries: ReturnType<typeof signingKeyQueries>;
  readonly #box: SecretBox;
  readonly #options: SigningKeysOptions;
  readonly #now: () => number;
  readonly #tenants = new Map<string, TenantKeys | Promise<TenantKeys>>();
  readonly #imported = new Map<string, Promise<PrivateSigningKey>>();

  constructor(db: Database, options: SigningKeysOptions) {
    this.#queries = signingKeyQueries(db);
    this.#box = new SecretBox(options.masterSecret, 'signing-keys');
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The key that signs `alg` tokens for the tenant now; the first key of an algorithm is made on demand. */
  async activeKey(tenantId: string, alg: SigningAlgorithm): Promise<PrivateSigningKey> {
    let keys = await this.#load(tenantId);
    let row = this.#pickActive(keys.rows, alg);
    if (row === undefined) {
      await this.#create(tenantId, alg, this.#now());
      this.#tenants.delete(tenantId);
      keys = await this.#load(tenantId);
      row = this.#pickActive(keys.rows, alg);
      if (row === undefined) throw new Error(`no ${alg} signing key for tenant ${tenantId}`);
    }
    return this.#import(row);
  }

  /** The tenant's public JWKS (RFC 7517): active keys, keys waiting to activate, and retired keys still valid. */
  async jwks(tenantId: string): Promise<{ keys: JWK[] }> {
    return (await this.#load(tenantId)).jwks;
  }

  /** Creates the first key of a new tenant, active at once (no token can predate it). */
  async createInitialKey(tenantId: string, alg: SigningAlgorithm): Promise<string> {
    return this.#create(tenantId, alg, this.#now());
  }

  /**
   * Publishes a new key that starts signing after `activateInMs` (default: the configured delay), and schedules
   * the keys it replaces to leave JWKS once every token they could have signed has expired.
   */
  async rotate(tenantId: string, alg: SigningAlgorithm, maxTokenLifetimeMs: number, activateInMs = this.#options.activationDelayMs): Promise<RotationResult> {
    const kid = newId('key', this.#now());
    const material = await this.#buildMaterial(alg, kid);
    // The clock starts after the (slow) key generation, right before the commit: every other instance's cache
    // was loaded before the commit at the latest, so it shows the key within the cache TTL of `now`.
    const now = this.#now();
    const activatesAt = now + activateInMs;
    const row: SigningKeysTable = { kid, tenant_id: tenantId, alg, ...material, activates_at: activatesAt, publish_until: null, created_at: now };
    const retiredPublishUntil = activatesAt + maxTokenLifetimeMs;
    await this.#queries.rotate(row, retiredPublishUntil);
    this.invalidate(tenantId);
    return { kid, alg, activatesAt, retiredPublishUntil };
  }

  invalidate(tenantId?: string): void {
    if (tenantId === undefined) this.#tenants.clear();
    else this.#tenants.delete(tenantId);
  }

  #pickActive(rows: readonly SigningKeysTable[], alg: SigningAlgorithm): SigningKeysTable | undefined {
    const now = this.#now();
    // Rows are ordered newest activation first; the first one already active is the signer.
    return rows.find((row) => row.alg === alg && row.activates_at <= now);
  }

  async #import(row: SigningKeysTable): Promise<PrivateSigningKey> {
    let imported = this.#imported.get(row.kid);
    if (imported === undefined) {
      imported = this.#box.open(row.private_jwe).then((json) => importPrivateSigningKey(JSON.parse(json) as JWK, row.alg as SigningAlgorithm));
      imported.catch(() => this.#imported.delete(row.kid));
      remember(this.#imported, row.kid, imported, MAX_IMPORTED_KEYS);
    }
    return imported;
  }

  async #load(tenantId: string): Promise<TenantKeys> {
    const cached = this.#tenants.get(tenantId);
    if (cached !== undefined) {
      if (cached instanceof Promise) return cached;
      if (this.#now() - cached.loadedAt < this.#options.cacheTtlMs) return cached;
    }
    const loading = this.#fetch(tenantId);
    remember(this.#tenants, tenantId, loading, MAX_CACHED_TENANTS);
    try {
      const keys = await loading;
      this.#tenants.set(tenantId, keys);
      return keys;
    } catch (error) {
      this.#tenants.delete(tenantId);
      throw error;
    }
  }

  async #fetch(tenantId: string): Promise<TenantKeys> {
    const loadedAt = this.#now();
    const rows = await this.#queries.listPublished(tenantId, loadedAt);
    const jwks = { keys: rows.map((row) => JSON.parse(row.public_jwk) as JWK) };
    return { loadedAt, rows, jwks };
  }

  async #create(tenantId: string, alg: SigningAlgorithm, now: number): Promise<string> {
    const kid = newId('key', now);
    await this.#queries.insert(await this.#buildRow(tenantId, alg, kid, now, now));
    return kid;
  }

  async #buildRow(tenantId: string, alg: SigningAlgorithm, kid: string, activatesAt: number, now: number): Promise<SigningKeysTable> {
    return { kid, tenant_id: tenantId, alg, ...(await this.#buildMaterial(alg, kid)), activates_at: activatesAt, publish_until: null, created_at: now };
  }

  async #buildMaterial(alg: SigningAlgorithm, kid: string): Promise<Pick<SigningKeysTable, 'public_jwk' | 'private_jwe'>> {
    const { publicJwk, privateJwk } = await generateSigningKeyPair(alg, kid);
    return { public_jwk: JSON.stringify(publicJwk), private_jwe: await this.#box.seal(JSON.stringify(privateJwk)) };
  }

  /**
   * Whether this instance's master secret opens the private keys already stored (true on an empty database).
   * Instances started with different LATCHKEY_SECRETs, or an import under another secret, fail here at start
   * instead of failing every token request later.
   */
  async opensStoredKeys(): Promise<boolean> {
    const sample = await this.#queries.sample();
    return sample === undefined || this.opens(sample.private_jwe);
  }

  /** Whether `privateJwe` (from an export) was sealed under this instance's master secret. */
  async opens(privateJwe: string): Promise<boolean> {
    try {
      await this.#box.open(privateJwe);
      return true;
    } catch {
      return false;
    }
  }
}
