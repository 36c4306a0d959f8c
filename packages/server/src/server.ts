/**
 * Runs one Latchkey HTTP server: context, app, listen, and graceful shutdown on SIGTERM/SIGINT (stop taking
 * connections, let in-flight requests finish within the configured timeout, close the database).
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/load-config.ts';
import { createLatchkey } from './context.ts';
import type { Latchkey } from './context.ts';
import { buildApp } from './http/app.ts';

export interface RunningServer {
  readonly ctx: Latchkey;
  readonly app: FastifyInstance;
  /** The URL it listens on (`http://127.0.0.1:<port>`). */
  readonly url: string;
  close(): Promise<void>;
}

export async function startServer(config: Config, ctxOverride?: Latchkey): Promise<RunningServer> {
  const ctx = ctxOverride ?? (await createLatchkey(config));
  let shuttingDown = false;
  const app = await buildApp(ctx, { isShuttingDown: () => shuttingDown });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | undefined;
  return {
    ctx,
    app,
    url: `http://${host}:${port}`,
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        await app.close();
        await ctx.close();
      })();
      return closing;
    },
  };
}

/** Installs SIGTERM/SIGINT handlers that drain and exit; a second signal or the timeout forces the exit. */
export function handleShutdownSignals(server: RunningServer, timeoutSeconds: number): void {
  let signalled = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(1);
    signalled = true;
    server.ctx.logger.info({ signal }, 'shutting down: draining in-flight requests');
    const timer = setTimeout(() => {
      server.ctx.logger.error('shutdown timed out; exiting with requests still in flight');
      process.exit(1);
    }, timeoutSeconds * 1000);
    timer.unref();
    server.close().then(
      () => {
        server.ctx.logger.info('shutdown complete');
        process.exit(0);
      },
      (error: unknown) => {
        server.ctx.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
