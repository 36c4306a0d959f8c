/**
 * The `node:cluster` primary of `latchkey serve --workers N`: forks N workers that share the listening port
 * (the primary hands connections out round-robin), replaces crashed workers with backoff, and on SIGTERM or
 * SIGINT asks every worker to drain (each finishes its in-flight requests, see `server.ts`) before exiting.
 * The primary serves nothing itself; the database is prepared (migrated) once, before any worker starts.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { DRAIN_MESSAGE } from '../server.ts';
import { serveClusterMetrics } from './metrics.ts';
import { RestartBackoff } from './restart-backoff.ts';

export interface PrimaryOptions {
  readonly workers: number;
  readonly logger: Logger;
  /** How long draining workers may take before they are killed (their own timeout, plus a margin). */
  readonly shutdownTimeoutMs: number;
}

function liveWorkers(): Worker[] {
  return Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
}

export function runPrimary(options: PrimaryOptions): void {
  const { logger } = options;
  const backoff = new RestartBackoff();
  const startedAt = new Map<number, number>();
  let shuttingDown = false;
  let exitCode = 0;
  let listening = 0;
  const serving = new Set<number>();

  const fork = (): void => {
    const worker = cluster.fork();
    startedAt.set(worker.id, Date.now());
    logger.info({ worker: worker.id, pid: worker.process.pid }, 'worker started');
  };

  const shutdown = (reason: string, code: number) => {
    if (shuttingDown) {
      logger.warn('second signal: killing the workers');
      for (const worker of liveWorkers()) worker.process.kill('SIGKILL');
      process.exit(1);
    }
    shuttingDown = true;
    exitCode = code;
    logger.info({ signal: reason }, 'shutting down: workers drain their in-flight requests');
    const workers = liveWorkers();
    if (workers.length === 0) process.exit(exitCode);
    for (const worker of workers) {
      // A worker still starting has no requests to drain and may not listen for messages yet: a plain SIGTERM.
      if (!serving.has(worker.id)) worker.process.kill('SIGTERM');
      else worker.send(DRAIN_MESSAGE, (error: Error | null) => error && worker.process.kill('SIGTERM'));
    }
    const timer = setTimeout(() => {
      logger.error('workers did not drain in time; killing them');
      for (const worker of liveWorkers()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, options.shutdownTimeoutMs);
    timer.unref();
  };

  cluster.on('listening', (worker, address) => {
    backoff.listened();
    serving.add(worker.id);
    if (shuttingDown) worker.send(DRAIN_MESSAGE);
    listening += 1;
    logger.info({ worker: worker.id, pid: worker.process.pid, port: address.port }, 'worker listening');
    if (listening === options.workers) logger.info({ workers: options.workers }, 'all workers listening');
  });

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker.id) ?? Date.now());
    startedAt.delete(worker.id);
    serving.delete(worker.id);
    if (shuttingDown) {
      logger.info({ worker: worker.id, pid: worker.process.pid, code, signal }, 'worker stopped');
      if (liveWorkers().length === 0) {
        logger.info('shutdown complete');
        process.exit(exitCode);
      }
      return;
    }
    const delay = backoff.next(lived);
    if (delay === undefined) {
      logger.fatal({ worker: worker.id, code, signal }, 'workers keep failing before they serve; giving up');
      shutdown('startup failure', 1);
      return;
    }
    logger.error({ worker: worker.id, pid: worker.process.pid, code, signal, restart_in_ms: delay }, 'worker died; replacing it');
    setTimeout(() => {
      if (!shuttingDown) fork();
    }, delay);
  });

  serveClusterMetrics();
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));
  process.on('SIGINT', () => shutdown('SIGINT', 0));
  for (let i = 0; i < options.workers; i++) fork();
}
