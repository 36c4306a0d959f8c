/**
 * Starts a real Latchkey server on 127.0.0.1 for behaviour tests: real database (SQLite file or PostgreSQL),
 * real HTTP, silent logs. Nothing is mocked.
 */
import { loadConfig } from '../../src/config/load-config.ts';
import type { Config } from '../../src/config/load-config.ts';
import { startServer } from '../../src/server.ts';
import type { RunningServer } from '../../src/server.ts';
import type { DialectName } from '../../src/db/database.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { createClient } from '../../src/directory/clients.ts';
import type { CreateClientInput } from '../../src/directory/clients.ts';
import type { Tenant } from '../../src/db/queries/tenants.ts';
import { createTestDatabase } from './databases.ts';
import type { TestDatabase } from './databases.ts';
import { freePort } from '../../src/util/free-port.ts';

export const TEST_SECRET = 'test-master-secret-that-is-long-enough-0123456789';

/** A free TCP port on 127.0.0.1 (the issuer URL must be known before the server starts). */
export { freePort };

export interface TestServer extends RunningServer {
  readonly database: TestDatabase;
  readonly config: Config;
  /** Stops the server and drops its database. */
  stop(): Promise<void>;
}

export async function startTestServer(dialect: DialectName, env: Record<string, string> = {}, existing?: TestDatabase): Promise<TestServer> {
  const database = existing ?? (await createTestDatabase(dialect));
  const port = await freePort();
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: String(port),
    LATCHKEY_DATABASE_URL: database.url,
    LATCHKEY_DATA_DIR: database.dir,
    LATCHKEY_SECRET: TEST_SECRET,
    LATCHKEY_LOG_LEVEL: process.env.LATCHKEY_TEST_LOG_LEVEL ?? 'silent',
    ...env,
  });
  const server = await startServer(config);
  return {
    ...server,
    database,
    config,
    async stop() {
      await server.close();
      if (!existing) await database.drop();
    },
  };
}

export interface TenantWithClient {
  readonly tenant: Tenant;
  readonly clientId: string;
  readonly clientSecret: string;
}

/** A tenant and a confidential client made through the real directory services. */
export async function createTenantWithClient(server: RunningServer, slug: string, client: Partial<CreateClientInput> = {}): Promise<TenantWithClient> {
  const tenant = await createTenant(server.ctx, { slug, name: `Tenant ${slug}` });
  const created = await createClient(server.ctx, tenant, { name: `${slug} agent`, ...client });
  return { tenant, clientId: created.client.clientId, clientSecret: created.clientSecret ?? '' };
}

export function issuerOf(server: RunningServer, slug: string): string {
  return `${server.ctx.config.baseUrl}/t/${slug}`;
}
