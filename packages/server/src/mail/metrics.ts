/**
 * Mail metrics: sent and failed deliveries counted by the instance that made them; queued mail and the age of
 * the oldest one read from the outbox at scrape time (the same for every instance, so `max` across workers).
 */
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { mailOutboxQueries } from '../db/queries/mail-outbox.ts';

export interface MailMetrics {
  readonly sent: Counter<'template'>;
  /** `final`: "true" when the mail was given up on, "false" for an attempt that will be retried. */
  readonly failed: Counter<'template' | 'final'>;
}

export function registerMailMetrics(registry: Registry, db: Database, now: () => number, logger: Logger): MailMetrics {
  let stats: Promise<{ count: number; oldestCreatedAt: number | null }> | undefined;
  // One outbox query per scrape serves both gauges.
  const readStats = () => {
    stats ??= mailOutboxQueries(db)
      .pendingStats()
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'could not read the mail outbox for metrics');
        return { count: 0, oldestCreatedAt: null };
      })
      .finally(() => setImmediate(() => (stats = undefined)));
    return stats;
  };
  new Gauge({
    name: 'latchkey_mail_queued',
    help: 'Mail waiting in the outbox to be sent (or retried)',
    registers: [registry],
    aggregator: 'max',
    async collect() {
      this.set((await readStats()).count);
    },
  });
  new Gauge({
    name: 'latchkey_mail_oldest_pending_age_seconds',
    help: 'Age of the oldest mail still waiting in the outbox (0 when none waits)',
    registers: [registry],
    aggregator: 'max',
    async collect() {
      const { oldestCreatedAt } = await readStats();
      this.set(oldestCreatedAt === null ? 0 : Math.max(0, (now() - oldestCreatedAt) / 1000));
    },
  });
  return {
    sent: new Counter({ name: 'latchkey_mail_sent_total', help: 'Mail handed to the SMTP server (or the local mail directory)', labelNames: ['template'], registers: [registry] }),
    failed: new Counter({ name: 'latchkey_mail_failed_total', help: 'Failed mail deliveries; final="true" when the outbox gave up on the mail', labelNames: ['template', 'final'], registers: [registry] }),
  };
}
