/**
 * `latchkey serve`: one process (`--workers 1`), or a `node:cluster` primary that prepares the database once and
 * forks one worker per core (see `cluster/primary.ts`); each worker runs the same server on the shared port.
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Config } from '../../config/load-config.ts';
import { createLatchkey } from '../../context.ts';
import type { Latchkey } from '../../context.ts';
import { checkDeployment } from '../../deployment/startup-checks.ts';
import { createLogger } from '../../http/logger.ts';
import { runPrimary } from '../../cluster/primary.ts';
import { shareWorkerMetrics } from '../../cluster/metrics.ts';
import { DRAIN_MESSAGE, handleShutdownSignals, startServer } from '../../server.ts';
import type { RunningServer } from '../../server.ts';
import { parseCommandArgs, UsageError } from '../command.ts';
import type { Command, CommandIo } from '../command.ts';
import { issueBootstrapLink } from '../../directory/bootstrap.ts';

function workerCount(flag: string | undefined, configured: number | undefined): number {
  if (flag === undefined) return configured ?? availableParallelism();
  const count = Number(flag);
  if (!Number.isInteger(count) || count < 1 || count > 1024) throw new UsageError('--workers must be a whole number from 1 to 1024');
  return count;
}

function announce(server: RunningServer, config: Config): void {
  server.ctx.logger.info({ url: server.url, base_url: config.baseUrl, pid: process.pid }, 'latchkey is serving');
}

/**
 * First start (issue 19): with no super admin anywhere, print a one-time link to the console page that creates
 * one. Nothing is printed once one exists; a failure here never stops the server from serving.
 */
async function offerBootstrap(ctx: Latchkey, io: CommandIo): Promise<void> {
  const link = await issueBootstrapLink(ctx).catch((error: unknown) => {
    ctx.logger.warn({ err: error }, 'could not make a bootstrap link; run `latchkey admin bootstrap`');
    return undefined;
  });
  if (link !== undefined) io.stdout(`\nNo super admin exists yet. Open this one-time link (valid 24 hours) to create one:\n  ${link}\n\n`);
}

/** Migrates, creates the secret file and checks the deployment once, before the workers would race to. */
async function startPrimary(config: Config, workers: number, io: CommandIo): Promise<void> {
  const ctx = await createLatchkey(config);
  try {
    await checkDeployment(ctx);
    await offerBootstrap(ctx, io);
  } finally {
    await ctx.close();
  }
  runPrimary({ workers, logger: ctx.logger, shutdownTimeoutMs: (config.shutdownTimeout + 5) * 1000 });
}

async function startWorker(config: Config): Promise<void> {
  // The primary may ask for a drain while this worker is still starting; remember it until the server runs.
  let drainRequested = false;
  const early = (message: unknown) => {
    if (message === DRAIN_MESSAGE) drainRequested = true;
  };
  process.on('message', early);
  let ctx: Latchkey | undefined;
  let server: RunningServer;
  try {
    ctx = await createLatchkey(config, { migrate: false, logger: createLogger(config.logLevel).child({ worker: cluster.worker?.id }) });
    shareWorkerMetrics(ctx.metrics.registry);
    server = await startServer(config, ctx);
  } catch (error) {
    // An open pool or IPC channel would keep a failed worker alive: close both so it exits and is replaced.
    await ctx?.close().catch(() => {});
    cluster.worker?.disconnect();
    throw error;
  }
  const drain = handleShutdownSignals(server, config.shutdownTimeout);
  process.off('message', early);
  announce(server, config);
  if (drainRequested) drain();
}

export const serveCommand: Command = {
  name: 'serve',
  usage: 'latchkey serve [--workers <n>]',
  summary: 'Run the identity provider (HOST, PORT, LATCHKEY_BASE_URL, LATCHKEY_DATABASE_URL, LATCHKEY_WORKERS, …)',
  async run(argv, { config, io }) {
    const { values } = parseCommandArgs(argv, { workers: { type: 'string' } });
    const workers = workerCount(values.workers, config.workers);
    if (cluster.isWorker) return startWorker(config);
    if (workers > 1) return startPrimary(config, workers, io);
    const server = await startServer(config);
    handleShutdownSignals(server, config.shutdownTimeout);
    // Before the announcement, so whoever waits for "latchkey is serving" has the link (or its absence) too.
    await offerBootstrap(server.ctx, io);
    announce(server, config);
  },
};
