/**
 * The background sender: every instance runs one. It claims due mail from the outbox (a lease, see
 * `queries/mail-outbox.ts`), hands it to the transport, and marks it sent; a failure is retried with
 * exponential backoff (base · 2^(attempt-1), at most an hour, with a little jitter so instances spread out)
 * until LATCHKEY_MAIL_MAX_ATTEMPTS, then the mail counts as failed. `stop()` lets the send in flight finish.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/load-config.ts';
import type { Database, DialectName } from '../db/database.ts';
import { mailOutboxQueries } from '../db/queries/mail-outbox.ts';
import type { OutboxRow } from '../db/queries/mail-outbox.ts';
import { newId } from '../util/ids.ts';
import type { MailMetrics } from './metrics.ts';
import { SMTP_TIMEOUT_MS } from './transport.ts';
import type { MailTransport } from './transport.ts';

/** A claim outlives the longest possible send (connect + greeting + data timeouts) by a wide margin. */
export const CLAIM_LEASE_MS = 4 * SMTP_TIMEOUT_MS + 60_000;
const BATCH = 10;
const MAX_DELAY_MS = 3_600_000;
/** Settled mail is kept this long (for support questions), then deleted; each instance prunes at most hourly. */
export const SETTLED_RETENTION_MS = 7 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;

export interface MailSenderDependencies {
  readonly db: Database;
  readonly dialect: DialectName;
  readonly config: Pick<Config, 'mailMaxAttempts' | 'mailRetryBase' | 'mailPollInterval'>;
  readonly transport: MailTransport;
  readonly metrics: MailMetrics;
  readonly logger: Logger;
  readonly now: () => number;
}

export function retryDelayMs(attempt: number, baseSeconds: number): number {
  const delay = Math.min(baseSeconds * 1000 * 2 ** Math.max(0, attempt - 1), MAX_DELAY_MS);
  return Math.round(delay * (1 + Math.random() * 0.1));
}

export class MailSender {
  readonly #deps: MailSenderDependencies;
  readonly #claimant = newId('sender');
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #started = false;
  #stopped = false;
  #prunedAt = Number.NEGATIVE_INFINITY;

  constructor(deps: MailSenderDependencies) {
    this.#deps = deps;
  }

  get transport(): MailTransport {
    return this.#deps.transport;
  }

  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#schedule(0);
  }

  /** Mail was just queued by this instance: look now rather than at the next poll. */
  wake(): void {
    if (!this.#started || this.#stopped) return;
    if (this.#running) this.#again = true;
    else this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
    this.#deps.transport.close();
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    this.#timer = setTimeout(() => this.#tick(), delayMs);
    this.#timer.unref();
  }

  #tick(): void {
    if (this.#running || this.#stopped) return;
    this.#running = this.runOnce()
      .then((claimed) => {
        // A full batch means more may be due; a wake during the run means new mail.
        const soon = claimed === BATCH || this.#again;
        this.#again = false;
        return soon;
      })
      .catch((error: unknown) => {
        this.#deps.logger.error({ err: error }, 'mail sender: could not read the outbox');
        return false;
      })
      .then((soon) => {
        this.#running = undefined;
        this.#schedule(soon ? 0 : this.#deps.config.mailPollInterval);
      });
  }

  /** Claims and sends one batch of due mail; returns how many rows it claimed. */
  async runOnce(): Promise<number> {
    const { db, dialect, now } = this.#deps;
    if (now() - this.#prunedAt >= PRUNE_EVERY_MS) {
      this.#prunedAt = now();
      await mailOutboxQueries(db).pruneSettled(now() - SETTLED_RETENTION_MS);
    }
    const rows = await mailOutboxQueries(db).claimDue(this.#claimant, now(), CLAIM_LEASE_MS, BATCH, dialect === 'postgres');
    for (const row of rows) {
      if (this.#stopped) break; // the lease lapses and another instance (or this one after restart) sends it
      await this.#deliver(row);
    }
    return rows.length;
  }

  async #deliver(row: OutboxRow): Promise<void> {
    const { db, config, transport, metrics, logger, now } = this.#deps;
    const queries = mailOutboxQueries(db);
    try {
      await transport.send({ id: row.id, to: row.recipient, subject: row.subject, text: row.text_body, html: row.html_body });
    } catch (error) {
      const message = error instanceof Error ? error.message.slice(0, 500) : String(error).slice(0, 500);
      const final = row.attempts >= config.mailMaxAttempts;
      metrics.failed.inc({ template: row.template, final: String(final) });
      if (final) {
        await queries.markFailed(row.id, this.#claimant, message);
        logger.error({ mail: row.id, template: row.template, attempts: row.attempts, err: message }, 'mail could not be sent; giving up');
      } else {
        const delay = retryDelayMs(row.attempts, config.mailRetryBase);
        await queries.markRetry(row.id, this.#claimant, now() + delay, message);
        logger.warn({ mail: row.id, template: row.template, attempts: row.attempts, retry_in_ms: delay, err: message }, 'mail could not be sent; will retry');
      }
      return;
    }
    metrics.sent.inc({ template: row.template });
    if (!(await queries.markSent(row.id, this.#claimant, now()))) {
      logger.warn({ mail: row.id }, 'mail sent after its outbox claim lapsed');
    }
  }
}
