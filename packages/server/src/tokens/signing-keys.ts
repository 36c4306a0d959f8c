/**
 * Each tenant's signing keys: which key signs now, which keys JWKS publishes, rotation and algorithm switches.
 * Each tenant's key rows are cached per instance for `cacheTtlMs`, and a private key is unsealed and imported
 * once per cache miss, not per token; both caches are least-recently-used within a byte budget, so 100,000
 * tenants cost what the budget allows, not a map entry each (issue 21). A key rotated in through another instance or
 * the CLI is published (in the database) `activationDelayMs` before it signs, so every instance's JWKS shows it
 * first. Changing the tenant's `signing_alg` takes the same staged path (issue 14.4): the first request that
 * needs a key of the new algorithm stages one under a lock on the tenant row, so however many requests on
 * however many instances race, one key is made, and the old algorithm signs until it activates.
 */
import type { Database } from '../db/database.ts';
import { cacheLifetime } from '../db/cache-sync.ts';
import type { SigningKeysTable } from '../db/schema.ts';
import { signingKeyQueries } from '../db/queries/signing-keys.ts';
import type { PublishedKey } from '../db/queries/client-issuance.ts';
import { parseStoredSettings } from '../directory/tenant-settings.ts';
import { newId } from '../util/ids.ts';
import { ENTRY_OVERHEAD_BYTES, estimateBytes, LruCache } from '../util/lru-cache.ts';
import type { CacheStats } from '../util/lru-cache.ts';
import { hasLiveKey, pickSigner } from './signer-choice.ts';
import { generateSigningKeyPair, importPrivateSigningKey, SecretBox } from './jose.ts';
import type { JWK, PrivateSigningKey, SigningAlgorithm } from './jose.ts';

/** Per-process bound on the tenants remembered as needing no staging (oldest dropped first). */
const MAX_CACHED_TENANTS = 10_000;
/** What an imported private key holds natively (an RSA-2048 key's CRT parts against a P-256 scalar). */
const IMPORTED_KEY_BYTES: Readonly<Record<string, number>> = { RS256: 2400, PS256: 2400, ES256: 600, EdDSA: 400 };
/** The default budgets when none are given (tests, tools): 8 MiB each. */
const DEFAULT_BUDGET = 8 * 1024 * 1024;

function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  if (!map.has(key) && map.size >= max) map.delete(map.keys().next().value as K);
  map.set(key, value);
}

export interface SigningKeysOptions {
  readonly masterSecret: string;
  readonly cacheTtlMs: number;
  readonly activationDelayMs: number;
  /** Byte budgets: each tenant's key rows and JWKS, and the imported private keys. */
  readonly maxBytes?: { readonly keySets: number; readonly privateKeys: number };
  /** Lock the tenant row while staging a key (PostgreSQL); SQLite's write transactions already run one at a time. */
  readonly lockRows?: boolean;
  readonly now?: () => number;
}

/**
 * A tenant's published keys as cached: the columns signing and JWKS need, nothing else. The JWKS is parsed only
 * when asked for (discovery, JWKS, introspection), never on the token path, and the entry is then re-counted.
 */
interface TenantKeys {
  readonly loadedAt: number;
  readonly rows: readonly PublishedKey[];
  readonly jwks?: { keys: JWK[] };
}

export interface RotationResult {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly activatesAt: number;
  /** When the keys it replaces leave JWKS. */
  readonly retiredPublishUntil: number;
  /** The key that signs until `activatesAt` (none when the new key signs at once). */
  readonly signsUntilActivation: { readonly kid: string; readonly alg: SigningAlgorithm } | undefined;
}

export interface RotateOptions {
  /** Runs in the transaction that stages the key: the CLI and the admin API switch `signing_alg` there. */
  readonly beforeCommit?: (db: Database) => Promise<void>;
}

type KeyMaterial = Pick<SigningKeysTable, 'public_jwk' | 'private_jwe'>;
/** What a staging transaction did: staged a key, found one live, found no tenant, or found the setting changed. */
type Staging = { kind: 'staged'; result: RotationResult } | { kind: 'unneeded' } | { kind: 'no-tenant' } | { kind: 'other-alg'; alg: SigningAlgorithm };

export class SigningKeys {
  readonly #db: Database;
  readonly #queries: ReturnType<typeof signingKeyQueries>;
  readonly #box: SecretBox;
  readonly #options: SigningKeysOptions;
  readonly #now: () => number;
  readonly #tenants: LruCache<string, TenantKeys>;
  /** Loads in flight, so concurrent misses for one tenant share one query. */
  readonly #loading = new Map<string, Promise<TenantKeys>>();
  readonly #imported: LruCache<string, Promise<PrivateSigningKey>>;
  /** Per tenant, the staging of a key for its signing algorithm in flight on this instance (one at a time). */
  readonly #preparing = new Map<string, Promise<RotationResult | undefined>>();
  /** `tenant:alg` -> when this instance last found (under the lock) that nothing needed staging for it. */
  readonly #prepared = new Map<string, number>();
  /** Bumped by every invalidation, so a load begun before it is not cached after it. */
  #generation = 0;

  constructor(db: Database, options: SigningKeysOptions) {
    this.#db = db;
    this.#queries = signingKeyQueries(db);
    this.#box = new SecretBox(options.masterSecret, 'signing-keys');
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#tenants = new LruCache({
      // Longer while the shared change signal is current; a change seen through it calls invalidate().
      ttlMs: cacheLifetime(db, options.cacheTtlMs),
      maxBytes: options.maxBytes?.keySets ?? DEFAULT_BUDGET,
      sizeOf: (tenantId, keys) => ENTRY_OVERHEAD_BYTES + estimateBytes(tenantId) + estimateBytes(keys.rows) + (keys.jwks === undefined ? 8 : estimateBytes(keys.jwks)),
      now: this.#now,
    });
    // A kid's key never changes, so an imported key stays until the budget needs its room.
    this.#imported = new LruCache({
      ttlMs: Number.MAX_SAFE_INTEGER,
      maxBytes: options.maxBytes?.privateKeys ?? DEFAULT_BUDGET,
      sizeOf: (kid) => ENTRY_OVERHEAD_BYTES + estimateBytes(kid) + (IMPORTED_KEY_BYTES[kid.slice(0, kid.indexOf(':'))] ?? 2400),
      now: this.#now,
    });
  }

  /** The two caches' counts (for the metrics). */
  stats(): { keySets: CacheStats; privateKeys: CacheStats } {
    return { keySets: this.#tenants.stats(), privateKeys: this.#imported.stats() };
  }

  /**
   * The key that signs for a tenant whose `signing_alg` is `alg`: its active key of `alg`, or while a key of
   * `alg` waits to activate, the key that signed before. Without a live key of `alg` (the setting has just
   * changed), one is staged first.
   */
  async activeKey(tenantId: string, alg: SigningAlgorithm): Promise<PrivateSigningKey> {
    let keys = await this.#load(tenantId);
    if (!hasLiveKey(keys.rows, alg) && !this.#preparedRecently(tenantId, alg)) {
      await this.prepareSigner(tenantId);
      remember(this.#prepared, `${tenantId}:${alg}`, this.#now(), MAX_CACHED_TENANTS);
      keys = await this.#load(tenantId);
    }
    const row = pickSigner(keys.rows, alg, this.#now());
    if (row === undefined) throw new Error(`no signing key for tenant ${tenantId}`);
    return this.#import(row);
  }

  /**
   * Stages a key of the tenant's stored `signing_alg` unless one is live already (how a changed setting takes
   * effect): published now, signing after the activation delay. Returns the staging, or undefined when none
   * was needed. Concurrent calls on this instance share one staging; across instances the tenant row lock
   * (SQLite: the one writer) makes the second find the first one's key.
   */
  prepareSigner(tenantId: string): Promise<RotationResult | undefined> {
    let preparing = this.#preparing.get(tenantId);
    if (preparing === undefined) {
      preparing = this.#prepare(tenantId).finally(() => this.#preparing.delete(tenantId));
      this.#preparing.set(tenantId, preparing);
    }
    return preparing;
  }

  /**
   * The algorithms the tenant's tokens are signed with now or, once a staged key activates, will be: `alg`
   * (its signing_alg), and during a switch also the algorithm that signs until then (for discovery).
   */
  async signingAlgs(tenantId: string, alg: SigningAlgorithm): Promise<SigningAlgorithm[]> {
    const current = pickSigner((await this.#load(tenantId)).rows, alg, this.#now())?.alg as SigningAlgorithm | undefined;
    return current === undefined || current === alg ? [alg] : [alg, current];
  }

  /** The tenant's public JWKS (RFC 7517): active keys, keys waiting to activate, and retired keys still valid. */
  async jwks(tenantId: string): Promise<{ keys: JWK[] }> {
    const keys = await this.#load(tenantId);
    if (keys.jwks !== undefined) return keys.jwks;
    const jwks = { keys: keys.rows.map((row) => JSON.parse(row.public_jwk) as JWK) };
    // Kept (and counted) only when the entry is still the cached one: one an invalidation overtook is not.
    if (this.#tenants.peek(tenantId) === keys) this.#tenants.set(tenantId, { ...keys, jwks }, keys.loadedAt);
    return jwks;
  }

  /**
   * For a read of the tenant's published keys made elsewhere (the token endpoint reads them with the client:
   * `db/queries/client-issuance.ts`): call before the read, then hand the rows to what it returns. Rows read
   * while an invalidation ran are not kept, as with the cache's own loads.
   */
  keyReader(): (tenantId: string, rows: readonly PublishedKey[]) => void {
    const generation = this.#generation;
    const loadedAt = this.#now();
    return (tenantId, rows) => {
      if (generation === this.#generation && this.#tenants.peek(tenantId) === undefined) this.#tenants.set(tenantId, { loadedAt, rows }, loadedAt);
    };
  }

  /** Creates the first key of a new tenant, active at once (no token can predate it). */
  async createInitialKey(tenantId: string, alg: SigningAlgorithm): Promise<string> {
    return this.#create(tenantId, alg, this.#now());
  }

  /**
   * Publishes a new key that starts signing after `activateInMs` (default: the configured delay), and schedules
   * the keys it replaces to leave JWKS once every token they could have signed has expired.
   */
  async rotate(tenantId: string, alg: SigningAlgorithm, maxTokenLifetimeMs: number, activateInMs = this.#options.activationDelayMs, options: RotateOptions = {}): Promise<RotationResult> {
    const kid = newId('key', this.#now());
    const material = await this.#buildMaterial(alg, kid);
    const staged = await this.#stage(tenantId, alg, kid, material, { activateInMs, maxTokenLifetimeMs, beforeCommit: options.beforeCommit });
    this.invalidate(tenantId);
    if (staged.kind !== 'staged') throw new Error(`tenant ${tenantId} was not found`);
    return staged.result;
  }

  async #prepare(tenantId: string): Promise<RotationResult | undefined> {
    // The algorithm is read again under the lock; a setting changed in between starts over (bounded).
    let alg = (await this.#storedSettings(tenantId))?.signing_alg;
    for (let attempt = 0; alg !== undefined && attempt < 3; attempt++) {
      // Another instance may have staged it since this one's cache was loaded: no key to generate then.
      if (hasLiveKey(await this.#queries.listPublished(tenantId, this.#now()), alg)) break;
      const kid = newId('key', this.#now());
      const staged = await this.#stage(tenantId, alg, kid, await this.#buildMaterial(alg, kid), { onlyIfNoLiveKey: true });
      if (staged.kind === 'other-alg') {
        alg = staged.alg;
        continue;
      }
      this.invalidate(tenantId);
      return staged.kind === 'staged' ? staged.result : undefined;
    }
    this.invalidate(tenantId);
    return undefined;
  }

  /**
   * One transaction: lock the tenant, read its keys and settings as committed, then (unless `onlyIfNoLiveKey`
   * finds a live key of the stored algorithm) put the key in and retire the others. The clock starts after the
   * (slow) key generation and the lock, right before the commit: every other instance's cache was loaded before
   * the commit at the latest, so it shows the key within the cache TTL of `now`.
   */
  async #stage(
    tenantId: string,
    alg: SigningAlgorithm,
    kid: string,
    material: KeyMaterial,
    plan: { onlyIfNoLiveKey?: boolean; activateInMs?: number; maxTokenLifetimeMs?: number; beforeCommit?: ((db: Database) => Promise<void>) | undefined },
  ): Promise<Staging> {
    return this.#db.transaction().execute(async (trx) => {
      const queries = signingKeyQueries(trx);
      const tenant = await queries.lockTenant(tenantId, this.#options.lockRows === true);
      if (tenant === undefined) return { kind: 'no-tenant' };
      const settings = parseStoredSettings(tenant.settings);
      const now = this.#now();
      const rows = await queries.listPublished(tenantId, now);
      if (plan.onlyIfNoLiveKey) {
        if (settings.signing_alg !== alg) return { kind: 'other-alg', alg: settings.signing_alg };
        if (hasLiveKey(rows, alg)) return { kind: 'unneeded' };
      }
      const current = pickSigner(rows, settings.signing_alg, now);
      // A tenant with no key that could sign gets one that signs at once: no token can predate it.
      const activatesAt = current === undefined ? now : now + (plan.activateInMs ?? this.#options.activationDelayMs);
      const maxTokenLifetimeMs = plan.maxTokenLifetimeMs ?? Math.max(settings.access_token_lifetime, settings.id_token_lifetime) * 1000;
      const retiredPublishUntil = activatesAt + maxTokenLifetimeMs;
      await queries.stage({ kid, tenant_id: tenantId, alg, ...material, activates_at: activatesAt, publish_until: null, created_at: now }, retiredPublishUntil, now);
      await plan.beforeCommit?.(trx);
      const signsUntilActivation = current !== undefined && activatesAt > now ? { kid: current.kid, alg: current.alg as SigningAlgorithm } : undefined;
      return { kind: 'staged', result: { kid, alg, activatesAt, retiredPublishUntil, signsUntilActivation } };
    });
  }

  async #storedSettings(tenantId: string) {
    const tenant = await this.#queries.lockTenant(tenantId, false);
    return tenant === undefined ? undefined : parseStoredSettings(tenant.settings);
  }

  #preparedRecently(tenantId: string, alg: SigningAlgorithm): boolean {
    // A tenant cache older than this instance's signing-key cache may still name the previous algorithm: the
    // lock said nothing needs staging, so do not ask again within the cache TTL.
    const at = this.#prepared.get(`${tenantId}:${alg}`);
    return at !== undefined && this.#now() - at < this.#options.cacheTtlMs;
  }

  invalidate(tenantId?: string): void {
    this.#generation += 1;
    this.#loading.clear();
    if (tenantId === undefined) this.#tenants.clear();
    else this.#tenants.delete(tenantId);
  }

  async #import(row: PublishedKey): Promise<PrivateSigningKey> {
    // Keyed by algorithm too, so the size estimate knows what it holds.
    const key = `${row.alg}:${row.kid}`;
    let imported = this.#imported.get(key);
    if (imported === undefined) {
      imported = this.#box.open(row.private_jwe).then((json) => importPrivateSigningKey(JSON.parse(json) as JWK, row.alg as SigningAlgorithm));
      imported.catch(() => this.#imported.delete(key));
      this.#imported.set(key, imported);
    }
    return imported;
  }

  async #load(tenantId: string): Promise<TenantKeys> {
    const cached = this.#tenants.get(tenantId);
    if (cached !== undefined) return cached;
    const inFlight = this.#loading.get(tenantId);
    if (inFlight !== undefined) return inFlight;
    const generation = this.#generation;
    const loading: Promise<TenantKeys> = this.#fetch(tenantId)
      .then((keys) => {
        // A load that an invalidation overtook is served to its waiters but not kept.
        if (generation === this.#generation) this.#tenants.set(tenantId, keys, keys.loadedAt);
        return keys;
      })
      .finally(() => {
        if (this.#loading.get(tenantId) === loading) this.#loading.delete(tenantId);
      });
    this.#loading.set(tenantId, loading);
    return loading;
  }

  async #fetch(tenantId: string): Promise<TenantKeys> {
    const loadedAt = this.#now();
    return { loadedAt, rows: await this.#queries.listPublishedKeys(tenantId, loadedAt) };
  }

  async #create(tenantId: string, alg: SigningAlgorithm, now: number): Promise<string> {
    const kid = newId('key', now);
    await this.#queries.insert(await this.#buildRow(tenantId, alg, kid, now, now));
    return kid;
  }

  async #buildRow(tenantId: string, alg: SigningAlgorithm, kid: string, activatesAt: number, now: number): Promise<SigningKeysTable> {
    return { kid, tenant_id: tenantId, alg, ...(await this.#buildMaterial(alg, kid)), activates_at: activatesAt, publish_until: null, created_at: now };
  }

  async #buildMaterial(alg: SigningAlgorithm, kid: string): Promise<KeyMaterial> {
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
