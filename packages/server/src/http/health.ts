import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { Latchkey } from '../context.ts';

const READY_TIMEOUT_MS = 2000;

/** `/healthz`: the process is alive. `/readyz`: it can serve, i.e. the database answers within 2 s. */
export function registerHealth(app: FastifyInstance, ctx: Latchkey, isShuttingDown: () => boolean): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    reply.header('Cache-Control', 'no-store');
    if (isShuttingDown()) return reply.code(503).send({ status: 'shutting_down' });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        sql`select 1`.execute(ctx.db),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('database check timed out')), READY_TIMEOUT_MS);
        }),
      ]);
      return { status: 'ready', database: 'ok' };
    } catch (error) {
      reply.log.warn({ err: error }, 'readiness check failed');
      return reply.code(503).send({ status: 'unavailable', database: 'unreachable' });
    } finally {
      clearTimeout(timer);
    }
  });
}
