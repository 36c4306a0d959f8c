/**
 * Where the memory of sign-ins goes. Samples RSS, V8 heap used and external memory every few seconds while
 * sign-ins run and nothing else:
 *   `node bench/src/micro/sign-in-memory.ts bare [seconds] [concurrency]`   verifyPassword in a loop, this process
 *   `node bench/src/micro/sign-in-memory.ts server [seconds] [concurrency]` browser-less sign-ins against
 *                                                                          `latchkey serve` (one worker, SQLite)
 * Try it under MALLOC_ARENA_MAX=2, UV_THREADPOOL_SIZE=1, MALLOC_MMAP_THRESHOLD_=... to tell allocator from leak.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { hashPassword, verifyPassword } from '../../../packages/server/src/directory/passwords.ts';
import { createTestDatabase } from '../../../packages/server/test/support/databases.ts';
import { latchkeyCommand } from '../../../packages/server/test/support/launcher.ts';
import { startServerProcess } from '../../../packages/server/test/support/server-process.ts';
import { TEST_SECRET } from '../../../packages/server/test/support/server.ts';
import { signInForTokens } from '../../../packages/server/test/support/sign-in.ts';

const [mode = 'server', secondsArg = '60', concurrencyArg = '8'] = process.argv.slice(2);
const SECONDS = Number(secondsArg);
const CONCURRENCY = Number(concurrencyArg);
const PASSWORD = 'correct horse battery staple';
const MiB = (bytes: number) => (bytes / 1048576).toFixed(1);

interface Sample { rss: number; heapUsed: number; external: number }

async function loop(operation: () => Promise<void>, sample: () => Promise<Sample>): Promise<void> {
  const start = Date.now();
  const deadline = start + SECONDS * 1000;
  let done = 0;
  let peak = 0;
  console.log('| s | operations | RSS MiB | heap used MiB | external MiB |');
  console.log('|---|---|---|---|---|');
  const report = async () => {
    const s = await sample();
    peak = Math.max(peak, s.rss);
    console.log(`| ${Math.round((Date.now() - start) / 1000)} | ${done} | ${MiB(s.rss)} | ${MiB(s.heapUsed)} | ${MiB(s.external)} |`);
  };
  const timer = setInterval(() => void report(), 5000);
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < deadline) {
      await operation();
      done++;
    }
  }));
  clearInterval(timer);
  await report();
  console.log(`peak RSS ${MiB(peak)} MiB after ${done} operations`);
}

if (mode === 'bare') {
  const stored = await hashPassword(PASSWORD);
  await loop(
    async () => { if (!(await verifyPassword(PASSWORD, stored))) throw new Error('password check failed'); },
    async () => { const m = process.memoryUsage(); return { rss: m.rss, heapUsed: m.heapUsed, external: m.external }; },
  );
} else {
  const run = promisify(execFile);
  const database = await createTestDatabase('sqlite');
  const env = { LATCHKEY_DATABASE_URL: database.url, LATCHKEY_DATA_DIR: database.dir, LATCHKEY_SECRET: TEST_SECRET, LATCHKEY_RATE_LIMIT_PER_CLIENT: '0', LATCHKEY_RATE_LIMIT_PER_IP: '0' };
  const server = await startServerProcess(env);
  try {
    const cli = async (...args: string[]) => JSON.parse((await run(process.execPath, latchkeyCommand(...args, '--json'), { env: server.env })).stdout);
    const redirectUri = 'http://127.0.0.1:9/callback';
    await cli('tenant', 'create', 'acme');
    const client = await cli('client', 'create', '--tenant', 'acme', '--name', 'mem', '--grant', 'authorization_code', '--grant', 'refresh_token', '--redirect-uri', redirectUri);
    await cli('user', 'create', '--tenant', 'acme', '--email', 'ada@example.com', '--password', PASSWORD);
    const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    await loop(
      async () => { await signInForTokens({ issuer: `${server.url}/t/acme`, clientId: client.client_id, clientSecret: client.client_secret, redirectUri, login: 'ada@example.com', password: PASSWORD }); },
      async () => {
        const text = await (await fetch(`${server.url}/metrics`)).text();
        const status = readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
        const rss = Number(/^VmRSS:\s+(\d+)/m.exec(status)![1]) * 1024;
        return { rss, heapUsed: metric(text, 'latchkey_nodejs_heap_size_used_bytes'), external: metric(text, 'latchkey_nodejs_external_memory_bytes') };
      },
    );
  } finally {
    await server.stop();
    await database.drop();
  }
}
