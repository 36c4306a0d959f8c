/**
 * Runs one Latchkey HTTP server: context, app, listen, and graceful shutdown on SIGTERM/SIGINT (stop taking
 * connections, let in-flight requests finish within the configured timeout, close the database).
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/load-config.ts';
import { createLatchkey } from './context.ts';
import type { Latchkey } from './context.ts';
import { buildApp } from './http/app.ts';
import { checkDeployment } from './deployment/startup-checks.ts';

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
  let app: FastifyInstance;
  try {
    await checkDeployment(ctx);
    app = await buildApp(ctx, { isShuttingDown: () => shuttingDown });
    await app.listen({ host: config.host, port: config.port });
    startMailSender(ctx);
    ctx.cacheSync.start();
  } catch (error) {
    // An open database pool would keep a process that cannot serve (port taken, bad secret) from exiting.
    if (!ctxOverride) await ctx.close();
    throw error;
  }
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

function startMailSender(ctx: Latchkey): void {
  const transport = ctx.mail.transport;
  if (transport.isLocalSink) {
    ctx.logger.warn({ directory: transport.description }, 'LATCHKEY_SMTP_URL is not set: mail is not sent but written to the log and to this directory');
  } else {
    ctx.logger.info({ smtp: transport.description }, 'mail goes through SMTP');
  }
  ctx.mail.start();
}

/** What a `node:cluster` primary sends a worker to make it drain and exit (see `cluster/primary.ts`). */
export const DRAIN_MESSAGE = 'latchkey:drain';

/**
 * Installs SIGTERM/SIGINT handlers that drain and exit; a second signal or the timeout forces the exit. A
 * cluster worker also drains when its primary asks over IPC; that request never forces, so a Ctrl-C that
 * reaches both the worker (from the terminal) and the primary (which forwards it) still drains.
 */
export function handleShutdownSignals(server: RunningServer, timeoutSeconds: number): () => void {
  let signalled = false;
  const shutdown = (reason: string, forceIfRepeated: boolean) => {
    if (signalled) {
      if (forceIfRepeated) process.exit(1);
      return;
    }
    signalled = true;
    server.ctx.logger.info({ signal: reason }, 'shutting down: draining in-flight requests');
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
  process.on('SIGTERM', () => shutdown('SIGTERM', true));
  process.on('SIGINT', () => shutdown('SIGINT', true));
  process.on('message', (message) => {
    if (message === DRAIN_MESSAGE) shutdown('primary', false);
  });
  return () => shutdown('primary', false);
}
