import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { createLatchkey } from '../../context.ts';
import { checkDeployment } from '../../deployment/startup-checks.ts';
import { createLogger } from '../../http/logger.ts';
import { runPrimary } from '../../cluster/primary.ts';
import { DRAIN_MESSAGE, handleShutdownSignals, startServer } from '../../server.ts';
import { parseCommandArgs, UsageError } from '../command.ts';
import type { Command } from '../command.ts';

function workerCount(flag: string | undefined, configured: number | undefined): number {
  if (flag === undefined) return configured ?? availableParallelism();
  const count = Number(flag);
  if (!Number.isInteger(count) || count < 1 || count > 1024) throw new UsageError('--workers must be a whole number from 1 to 1024');
  return count;
}

export const serveCommand: Command = {
  name: 'serve',
  usage: 'latchkey serve [--workers <n>]',
  summary: 'Run the identity provider (HOST, PORT, LATCHKEY_BASE_URL, LATCHKEY_DATABASE_URL, LATCHKEY_WORKERS, …)',
  async run(argv, { config }) {
    const { values } = parseCommandArgs(argv, { workers: { type: 'string' } });
    const workers = workerCount(values.workers, config.workers);
    if (workers > 1 && cluster.isPrimary) {
      // Migrate, create the secret file and check the deployment once, before the workers race to do it.
      const ctx = await createLatchkey(config);
      try {
        await checkDeployment(ctx);
      } finally {
        await ctx.close();
      }
      runPrimary({ workers, logger: ctx.logger, shutdownTimeoutMs: (config.shutdownTimeout + 5) * 1000 });
      return;
    }
    if (!cluster.isWorker) {
      const server = await startServer(config);
      handleShutdownSignals(server, config.shutdownTimeout);
      server.ctx.logger.info({ url: server.url, base_url: config.baseUrl, pid: process.pid }, 'latchkey is serving');
      return;
    }
    // The primary may ask for a drain while this worker is still starting; remember it until the server runs.
    let drainRequested = false;
    const early = (message: unknown) => {
      if (message === DRAIN_MESSAGE) drainRequested = true;
    };
    process.on('message', early);
    let server;
    try {
      const ctx = await createLatchkey(config, { migrate: false, logger: createLogger(config.logLevel).child({ worker: cluster.worker?.id }) });
      server = await startServer(config, ctx);
    } catch (error) {
      // The IPC channel would keep a failed worker alive; closing it lets the process exit and the primary replace it.
      cluster.worker?.disconnect();
      throw error;
    }
    const drain = handleShutdownSignals(server, config.shutdownTimeout);
    process.off('message', early);
    server.ctx.logger.info({ url: server.url, base_url: config.baseUrl, pid: process.pid }, 'latchkey is serving');
    if (drainRequested) drain();
  },
};
