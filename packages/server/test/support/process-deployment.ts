/**
 * Several `latchkey serve` processes on one database, as a deployment runs them, for tests that need an
 * instance to stop at any instruction while the others go on: races under CPU contention, and kill -9 under
 * load (unlike the in-process instances of `instances.ts`, which share one event loop). Each instance keeps its
 * port across restarts, and all share LATCHKEY_BASE_URL (the first one's URL), so they issue the same `iss`.
 */
import type { Latchkey } from '../../src/context.ts';
import { createLatchkey } from '../../src/context.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import type { DialectName } from '../../src/db/database.ts';
import { createLogger } from '../../src/http/logger.ts';
import { createTestDatabase } from './databases.ts';
import type { TestDatabase } from './databases.ts';
import { spawnLatchkey, waitUntilReady } from './process.ts';
import type { LatchkeyProcess } from './process.ts';
import { freePort, TEST_SECRET } from './server.ts';

export interface ProcessDeployment {
  readonly database: TestDatabase;
  /** An in-process Latchkey on the same database (serving nothing), to set up fixtures and read rows. */
  readonly admin: Latchkey;
  readonly urls: readonly string[];
  readonly baseUrl: string;
  isUp(index: number): boolean;
  /** SIGKILL: the process dies at whatever it was doing, connections and transactions included. */
  kill(index: number): Promise<void>;
  /** Starts a killed instance again on its port and waits until it is ready. */
  restart(index: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startProcessDeployment(dialect: DialectName, count: number, env: Record<string, string> = {}): Promise<ProcessDeployment> {
  const database = await createTestDatabase(dialect);
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  const shared = { HOST: '127.0.0.1', LATCHKEY_DATABASE_URL: database.url, LATCHKEY_DATA_DIR: database.dir, LATCHKEY_SECRET: TEST_SECRET, LATCHKEY_BASE_URL: urls[0]!, LATCHKEY_LOG_LEVEL: 'warn', ...env };
  const admin = await createLatchkey(loadConfig({ ...shared, LATCHKEY_LOG_LEVEL: 'silent' }), { logger: createLogger('silent') });
  const processes: Array<LatchkeyProcess | undefined> = [];
  const start = async (index: number) => {
    const child = await spawnLatchkey(['serve', '--workers', '1'], { ...shared, PORT: String(ports[index]) });
    processes[index] = child;
    await waitUntilReady(urls[index]!);
  };
  const stopAll = async () => {
    await Promise.all(processes.map((child) => child?.stop()));
    await admin.close();
    await database.drop();
  };
  try {
    for (let index = 0; index < count; index++) await start(index);
  } catch (error) {
    await stopAll();
    throw error;
  }
  return {
    database,
    admin,
    urls,
    baseUrl: urls[0]!,
    isUp: (index) => processes[index] !== undefined,
    async kill(index) {
      const child = processes[index];
      processes[index] = undefined;
      await child?.stop();
    },
    restart: start,
    stop: stopAll,
  };
}
