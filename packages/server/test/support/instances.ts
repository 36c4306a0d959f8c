/**
 * Several Latchkey instances on one database, as a deployment behind a load balancer runs them: each has its
 * own pool, caches and rate limiter; they share LATCHKEY_BASE_URL (the balancer's URL, so every instance
 * issues the same `iss`). `startLoadBalancer` is a plain round-robin HTTP proxy of the test's own.
 */
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import type { DialectName } from '../../src/db/database.ts';
import { createTestDatabase } from './databases.ts';
import type { TestDatabase } from './databases.ts';
import { startTestServer } from './server.ts';
import type { TestServer } from './server.ts';

export interface Deployment {
  readonly database: TestDatabase;
  readonly instances: readonly TestServer[];
  /** A round-robin balancer over the instances; its URL is every instance's LATCHKEY_BASE_URL. */
  readonly balancer: LoadBalancer;
  readonly baseUrl: string;
  stop(): Promise<void>;
}

export async function startDeployment(dialect: DialectName, count: number, env: Record<string, string> = {}): Promise<Deployment> {
  const database = await createTestDatabase(dialect);
  // The balancer listens first (on a port of its own), so its URL is known before the instances start.
  const targets: string[] = [];
  const balancer = await startLoadBalancer(targets);
  const instances: TestServer[] = [];
  try {
    for (let i = 0; i < count; i++) instances.push(await startTestServer(dialect, { LATCHKEY_BASE_URL: balancer.url, ...env }, database));
  } catch (error) {
    await Promise.all(instances.map((s) => s.stop()));
    await balancer.close();
    await database.drop();
    throw error;
  }
  targets.push(...instances.map((s) => s.url));
  return {
    database,
    instances,
    balancer,
    baseUrl: balancer.url,
    async stop() {
      await balancer.close();
      await Promise.all(instances.map((s) => s.stop()));
      await database.drop();
    },
  };
}

/** A Redis key prefix of this test run only, so parallel test files never share counters. */
export function uniqueRedisPrefix(): string {
  return `latchkey-test:${process.pid}-${randomBytes(4).toString('hex')}:`;
}

export interface LoadBalancer {
  readonly url: string;
  /** Which instance each proxied request went to, in order. */
  readonly routed: number[];
  close(): Promise<void>;
}

/** Round-robin over `targets` (read at each request), adding X-Forwarded-For like a real balancer. */
export async function startLoadBalancer(targets: readonly string[]): Promise<LoadBalancer> {
  let next = 0;
  const routed: number[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const index = next++ % targets.length;
    routed.push(index);
    const target = new URL(incoming.url ?? '/', targets[index]);
    const forwarded = [incoming.headers['x-forwarded-for'], incoming.socket.remoteAddress].filter(Boolean).join(', ');
    const proxied = httpRequest(target, { method: incoming.method, headers: { ...incoming.headers, 'x-forwarded-for': forwarded } }, (response) => {
      outgoing.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(outgoing);
    });
    proxied.on('error', () => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end();
    });
    incoming.pipe(proxied);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    routed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
