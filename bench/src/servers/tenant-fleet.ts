/**
 * Many tenants at once for the tenants-at-scale scenario (issue 21): each with its own signing key, a
 * confidential client with its service account, and a few people, written with Kysely bulk inserts in one
 * transaction. Key generation (the slow part: an RSA-2048 key takes tens of milliseconds) is spread over one
 * worker thread per core; the rows are what `createTenant` and `createClient` write, one tenant at a time.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Latchkey } from '../../../packages/server/src/context.ts';
import { DEFAULT_SCOPES, DEFAULT_TOKEN_CLAIMS } from '../../../packages/server/src/directory/clients.ts';
import { DEFAULT_TENANT_SETTINGS } from '../../../packages/server/src/directory/tenant-settings.ts';
import type { ClientsTable, SigningKeysTable, TenantsTable, UsersTable } from '../../../packages/server/src/db/schema.ts';
import type { SigningAlgorithm } from '../../../packages/server/src/tokens/jose.ts';
import { generateOpaqueToken, hashSecret } from '../../../packages/server/src/tokens/opaque.ts';
import { newId, randomAlphanumeric } from '../../../packages/server/src/util/ids.ts';
import type { GeneratedKey, KeyBatch, KeyJob } from './key-worker.ts';
import { insertInBatches } from './seed.ts';

const KEY_WORKER = new URL('./key-worker.ts', import.meta.url);
/** People per tenant besides the service account (they make the users table grow with the tenants). */
const PEOPLE_PER_TENANT = 3;

export interface FleetTenant {
  readonly slug: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface FleetSeeding {
  readonly tenants: FleetTenant[];
  /** Wall time of the whole seeding. */
  readonly seedMs: number;
  /** Wall time of the key generation (all cores). */
  readonly keyWallMs: number;
  /** Summed CPU time of the key workers: the cost of key generation, per tenant once divided. */
  readonly keyBusyMs: number;
  readonly workers: number;
}

/** `count` keys of `alg`, generated and sealed on one worker thread per core. */
export async function generateKeys(alg: SigningAlgorithm, count: number, masterSecret: string, workers = availableParallelism()): Promise<{ keys: GeneratedKey[]; busyMs: number; workers: number }> {
  const used = Math.max(1, Math.min(workers, count));
  // Every thread of this process (the workers and libuv's pool, where WebCrypto generates): the harness does
  // nothing else meanwhile, so this is the CPU cost of key generation however busy the machine is.
  const cpuBefore = process.cpuUsage();
  const shares = Array.from({ length: used }, (_, i) => Math.floor(count / used) + (i < count % used ? 1 : 0));
  const batches = await Promise.all(
    shares.map(
      (share) =>
        new Promise<KeyBatch>((resolve, reject) => {
          const worker = new Worker(KEY_WORKER, { workerData: { alg, count: share, masterSecret } satisfies KeyJob });
          worker.once('message', (batch: KeyBatch) => resolve(batch));
          worker.once('error', reject);
          worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`key worker exited with ${code}`))));
        }),
    ),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return { keys: batches.flatMap((b) => b.keys), busyMs: (cpu.user + cpu.system) / 1000, workers: used };
}

/** Adds `count` tenants (slugs `fleet-0` …) signing with `alg`, and returns their client credentials. */
export async function seedTenantFleet(ctx: Latchkey, count: number, alg: SigningAlgorithm): Promise<FleetSeeding> {
  const started = performance.now();
  if (count === 0) return { tenants: [], seedMs: 0, keyWallMs: 0, keyBusyMs: 0, workers: 0 };
  const keyStarted = performance.now();
  const generated = await generateKeys(alg, count, ctx.masterSecret);
  const keyWallMs = performance.now() - keyStarted;
  const now = Date.now();
  const settings = JSON.stringify({ ...DEFAULT_TENANT_SETTINGS, signing_alg: alg });
  const tenants: FleetTenant[] = [];
  const tenantRows: TenantsTable[] = [];
  const keyRows: SigningKeysTable[] = [];
  const userRows: UsersTable[] = [];
  const clientRows: ClientsTable[] = [];
  for (let i = 0; i < count; i += 1) {
    const tenantId = newId('tnt', now);
    const slug = `fleet-${i}`;
    const clientId = randomAlphanumeric(32);
    const clientSecret = generateOpaqueToken(32);
    const serviceUserId = newId('usr', now);
    const key = generated.keys[i]!;
    tenants.push({ slug, clientId, clientSecret });
    tenantRows.push({ id: tenantId, slug, name: `Fleet ${i}`, partner_id: null, settings, created_at: now, updated_at: now });
    keyRows.push({ kid: key.kid, tenant_id: tenantId, alg, public_jwk: key.public_jwk, private_jwe: key.private_jwe, activates_at: now, publish_until: null, created_at: now });
    const user = (id: string, kind: 'service' | 'person', login: string, name: string) => ({
      id,
      tenant_id: tenantId,
      kind,
      email: kind === 'person' ? login : null,
      email_normalized: kind === 'person' ? login : null,
      username: kind === 'service' ? login : null,
      username_normalized: kind === 'service' ? login : null,
      first_name: null,
      last_name: null,
      display_name: name,
      status: 'active' as const,
      password_hash: null,
      role: null,
      admin_role: null,
      created_at: now,
      updated_at: now,
    });
    userRows.push(user(serviceUserId, 'service', `service-account-${clientId}`, 'fleet agent'));
    for (let p = 0; p < PEOPLE_PER_TENANT; p += 1) userRows.push(user(newId('usr', now), 'person', `person-${p}@fleet-${i}.example`, `Person ${p}`));
    clientRows.push({
      client_id: clientId,
      tenant_id: tenantId,
      name: 'fleet agent',
      type: 'confidential' as const,
      secret_hash: hashSecret(clientSecret),
      secret_created_at: now,
      redirect_uris: '[]',
      post_logout_redirect_uris: '[]',
      grant_types: '["client_credentials"]',
      scopes: JSON.stringify(DEFAULT_SCOPES),
      audience: null,
      token_claims: JSON.stringify(DEFAULT_TOKEN_CLAIMS),
      service_user_id: serviceUserId,
      created_at: now,
      updated_at: now,
    });
  }
  await ctx.db.transaction().execute(async (trx) => {
    await insertInBatches((batch) => trx.insertInto('tenants').values(batch).execute(), tenantRows, 7);
    await insertInBatches((batch) => trx.insertInto('signing_keys').values(batch).execute(), keyRows, 8);
    await insertInBatches((batch) => trx.insertInto('users').values(batch).execute(), userRows, 16);
    await insertInBatches((batch) => trx.insertInto('clients').values(batch).execute(), clientRows, 15);
  });
  return { tenants, seedMs: performance.now() - started, keyWallMs, keyBusyMs: generated.busyMs, workers: generated.workers };
}
