/**
 * Latchkey as it ships: the database is prepared in the harness process through the real directory services
 * (a tenant with the scenario's signing algorithm, a confidential client with its service account, optional
 * bulk rows), then `latchkey serve` runs as a child process on it with production settings. Rate limits stay
 * on (the counters run on every request) with limits high enough never to refuse the load.
 */
import { loadConfig } from '../../../packages/server/src/config/load-config.ts';
import { createLatchkey } from '../../../packages/server/src/context.ts';
import type { Latchkey } from '../../../packages/server/src/context.ts';
import type { DialectName } from '../../../packages/server/src/db/database.ts';
import { createClient } from '../../../packages/server/src/directory/clients.ts';
import { createTenant } from '../../../packages/server/src/directory/tenants.ts';
import type { Tenant } from '../../../packages/server/src/db/queries/tenants.ts';
import type { Client } from '../../../packages/server/src/db/queries/clients.ts';
import type { SigningAlgorithm } from '../../../packages/server/src/tokens/jose.ts';
import { createTestDatabase } from '../../../packages/server/test/support/databases.ts';
import { latchkeyCommand } from '../../../packages/server/test/support/launcher.ts';
import type { TestDatabase } from '../../../packages/server/test/support/databases.ts';
import { freePort, spawnServer } from '../harness/processes.ts';
import type { ServerProcess, SpawnOptions } from '../harness/processes.ts';
import type { LoadRequest } from '../harness/load.ts';

const BENCH_SECRET = 'bench-master-secret-that-is-long-enough-0123456789';
export const TENANT_SLUG = 'bench';

/** What a seed step gets: the open context, the bench tenant and its client. */
export interface SeedContext {
  readonly ctx: Latchkey;
  readonly tenant: Tenant;
  readonly client: Client;
}

export interface PrepareOptions<S = undefined> {
  readonly dialect?: DialectName;
  readonly alg?: SigningAlgorithm;
  /** `latchkey serve` worker processes (default 1: one process, like the ceiling and the peer). */
  readonly workers?: number;
  /** Runs on the open context after the tenant and client exist (refresh tokens, bulk rows). */
  readonly seed?: (seed: SeedContext) => Promise<S>;
}

export interface PreparedLatchkey<S = undefined> {
  /** What the seed step returned (live refresh tokens, an API key, …). */
  readonly seeded: S;
  readonly database: TestDatabase;
  readonly port: number;
  readonly env: Readonly<Record<string, string>>;
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The client_credentials request, as autocannon sends it. */
  readonly tokenRequest: LoadRequest;
  /** The bench tenant's issuer. */
  readonly issuer: string;
  drop(): Promise<void>;
}

export function basicAuth(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

export const REDIRECT_URI = 'http://127.0.0.1:5999/callback';

export async function prepareLatchkey<S = undefined>(options: PrepareOptions<S> = {}): Promise<PreparedLatchkey<S>> {
  const database = await createTestDatabase(options.dialect ?? 'sqlite');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = {
    HOST: '127.0.0.1',
    PORT: String(port),
    LATCHKEY_BASE_URL: baseUrl,
    LATCHKEY_DATABASE_URL: database.url,
    LATCHKEY_DATA_DIR: database.dir,
    LATCHKEY_SECRET: BENCH_SECRET,
    LATCHKEY_LOG_LEVEL: 'warn',
    LATCHKEY_RATE_LIMIT_PER_CLIENT: '100000000',
    LATCHKEY_RATE_LIMIT_PER_IP: '100000000',
    LATCHKEY_WORKERS: String(options.workers ?? 1),
  };
  const ctx = await createLatchkey(loadConfig(env));
  try {
    const alg = options.alg ?? 'RS256';
    const tenant = await createTenant(ctx, { slug: TENANT_SLUG, name: 'Bench', settings: { signing_alg: alg } });
    // One client for every scenario: client_credentials, and the sign-in grants (refresh, code flow).
    const created = await createClient(ctx, tenant, { name: 'bench agent', redirectUris: [REDIRECT_URI] });
    const seeded = (await options.seed?.({ ctx, tenant, client: created.client })) as S;
    const clientId = created.client.clientId;
    const clientSecret = created.clientSecret!;
    return {
      seeded,
      database,
      port,
      env,
      baseUrl,
      clientId,
      clientSecret,
      issuer: `${baseUrl}/t/${TENANT_SLUG}`,
      tokenRequest: {
        url: `${baseUrl}/oauth2/token`,
        headers: { authorization: basicAuth(clientId, clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      },
      drop: () => database.drop(),
    };
  } finally {
    await ctx.close();
  }
}

/** `latchkey serve` on the prepared database. */
export function startLatchkey(prepared: PreparedLatchkey<unknown>, extra: Partial<SpawnOptions> = {}): Promise<ServerProcess> {
  return spawnServer({
    args: latchkeyCommand('serve'),
    env: prepared.env,
    ready: `${prepared.baseUrl}/healthz`,
    ...extra,
  });
}

export function jwksUrlOf(prepared: PreparedLatchkey<unknown>): string {
  return `${prepared.baseUrl}/t/${TENANT_SLUG}/jwks`;
}
