/**
 * Runs `latchkey serve` as a child process (as an operator does), for tests that measure the server's own
 * memory or kill it. Resolves once /readyz answers 200.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { latchkeyCommand } from './launcher.ts';
import { freePort } from './server.ts';

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly env: NodeJS.ProcessEnv;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startServerProcess(env: Record<string, string>, args: string[] = []): Promise<ServerProcess> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  // One process unless asked otherwise: `serve` runs one worker per core by default, and these tests measure one.
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, LATCHKEY_LOG_LEVEL: 'warn', LATCHKEY_WORKERS: '1', ...env, PORT: String(port), HOST: '127.0.0.1' };
  const child = spawn(process.execPath, latchkeyCommand('serve', ...args), { env: fullEnv, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 150; attempt++) {
    if (child.exitCode !== null) throw new Error(`latchkey serve exited with ${child.exitCode}`);
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) {
      return {
        url,
        child,
        env: fullEnv,
        async stop(signal: NodeJS.Signals = 'SIGTERM') {
          if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
          child.kill(signal);
          const [code] = (await once(child, 'exit')) as [number | null];
          return code;
        },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error('latchkey serve did not become ready within 15 s');
}

export interface MemoryReading {
  readonly rss: number;
  /** V8's committed heap, what it has in use, and memory outside the heap (Buffers): for diagnostics. */
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  /** Full (mark-compact) collections V8 has made so far. */
  readonly majorGcs: number;
}

/** The server's memory as its own Prometheus metrics report it. */
export async function memoryOf(url: string): Promise<MemoryReading> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string, absent?: number) => {
    const match = new RegExp(`^${name} (\\d+(?:\\.\\d+)?(?:e\\+\\d+)?)$`, 'm').exec(text);
    if (!match && absent !== undefined) return absent;
    if (!match) throw new Error(`no ${name} metric`);
    return Number(match[1]);
  };
  return {
    rss: read('latchkey_process_resident_memory_bytes'),
    heapTotal: read('latchkey_nodejs_heap_size_total_bytes'),
    heapUsed: read('latchkey_nodejs_heap_size_used_bytes'),
    external: read('latchkey_nodejs_external_memory_bytes'),
    // prom-client lists a GC kind once V8 has made one.
    majorGcs: read('latchkey_nodejs_gc_duration_seconds_count\\{kind="major"\\}', 0),
  };
}
