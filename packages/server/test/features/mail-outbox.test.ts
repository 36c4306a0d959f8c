/**
 * The mail outbox end to end: mail queued in a transaction reaches a real SMTP server only if the transaction
 * commits; a mail server outage delays mail without losing it (retries with backoff); several instances on one
 * PostgreSQL share the outbox and never send a mail twice; without SMTP, mail lands in `<data dir>/mail/`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { join } from 'node:path';
import { DIALECTS } from '../support/databases.ts';
import { startTestServer, TEST_SECRET } from '../support/server.ts';
import { createTestDatabase } from '../support/databases.ts';
import pino from 'pino';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLatchkey } from '../../src/context.ts';
import { startServer } from '../../src/server.ts';
import type { TestServer } from '../support/server.ts';
import { startDeployment } from '../support/instances.ts';
import { startSmtpServer } from '../support/smtp.ts';
import type { TestSmtpServer } from '../support/smtp.ts';
import { enqueueMail } from '../../src/mail/outbox.ts';
import type { OutgoingMail } from '../../src/mail/outbox.ts';
import { mailOutboxQueries } from '../../src/db/queries/mail-outbox.ts';
import type { Database } from '../../src/db/database.ts';

function resetMail(to: string): OutgoingMail {
  return { tenantId: null, to, template: 'password_reset', params: { tenant: 'Acme', link: 'http://127.0.0.1/t/acme/reset-password?token=abc', minutes: '30' } };
}

async function waitUntil<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function queue(db: Database, mail: OutgoingMail, now = Date.now()): Promise<string> {
  return db.transaction().execute((trx) => enqueueMail(trx, mail, now));
}

for (const dialect of DIALECTS) {
  describe(`mail outbox (${dialect})`, () => {
    let smtp: TestSmtpServer;
    let server: TestServer;

    before(async () => {
      smtp = await startSmtpServer();
      server = await startTestServer(dialect, { LATCHKEY_SMTP_URL: smtp.url, LATCHKEY_MAIL_RETRY_BASE_SECONDS: '1', LATCHKEY_MAIL_POLL_INTERVAL_MS: '100' });
    });
    after(async () => {
      await server?.stop();
      await smtp?.stop();
    });

    it('sends committed mail over SMTP once, and none from a rolled-back transaction', async () => {
      await assert.rejects(
        server.ctx.db.transaction().execute(async (trx) => {
          await enqueueMail(trx, resetMail('rolled-back@example.test'), Date.now());
          throw new Error('the change failed');
        }),
        /the change failed/,
      );
      const id = await queue(server.ctx.db, resetMail('ada@example.test'));
      server.ctx.mail.wake();
      const mail = await smtp.waitFor((m) => m.to === 'ada@example.test');
      assert.equal(mail.subject, 'Reset your Acme password');
      assert.match(mail.text, /reset-password\?token=abc/);
      assert.match(mail.html, /<a href="http:\/\/127\.0\.0\.1\/t\/acme\/reset-password\?token=abc">/);
      assert.equal(mail.messageId, `<${id}@latchkey>`);
      const row = await waitUntil('the row to be marked sent', async () => {
        const r = await mailOutboxQueries(server.ctx.db).findById(id);
        return r?.status === 'sent' ? r : undefined;
      });
      assert.equal(row.attempts, 1);
      assert.equal(row.text_body, '', 'the body (with its link) is dropped once sent');
      assert.equal(smtp.received.filter((m) => m.to === 'rolled-back@example.test').length, 0);
      assert.equal(smtp.received.filter((m) => m.to === 'ada@example.test').length, 1);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(metrics, /latchkey_mail_sent_total\{template="password_reset"\} [1-9]/);
      assert.match(metrics, /latchkey_mail_queued 0/);
      assert.match(metrics, /latchkey_mail_oldest_pending_age_seconds 0/);
    });

    it('keeps mail while the SMTP server is down and sends it once it is back', async () => {
      await smtp.stop();
      const id = await queue(server.ctx.db, resetMail('grace@example.test'));
      server.ctx.mail.wake();
      const failed = await waitUntil('a failed attempt', async () => {
        const r = await mailOutboxQueries(server.ctx.db).findById(id);
        return r !== undefined && r.attempts >= 1 && r.last_error !== null ? r : undefined;
      });
      assert.equal(failed.status, 'pending');
      assert.ok(failed.next_attempt_at > failed.created_at, 'the retry waits (backoff)');
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(metrics, /latchkey_mail_failed_total\{template="password_reset",final="false"\} [1-9]/);
      assert.match(metrics, /latchkey_mail_queued 1/);
      await smtp.start();
      await smtp.waitFor((m) => m.to === 'grace@example.test');
      await waitUntil('the row to be marked sent', async () => (await mailOutboxQueries(server.ctx.db).findById(id))?.status === 'sent');
      assert.equal(smtp.received.filter((m) => m.to === 'grace@example.test').length, 1);
    });

    it('deletes mail settled more than a week ago, and keeps the rest', async () => {
      // Queued and settled in one transaction, so no sender sees it pending.
      const old = await server.ctx.db.transaction().execute(async (trx) => {
        const id = await enqueueMail(trx, resetMail('old@example.test'), Date.now() - 9 * 86_400_000);
        await trx.updateTable('mail_outbox').set({ status: 'sent', sent_at: Date.now() - 8 * 86_400_000, text_body: '', html_body: '' }).where('id', '=', id).execute();
        return id;
      });
      const recent = await queue(server.ctx.db, resetMail('recent@example.test'));
      await waitUntil('the recent mail to be sent', async () => (await mailOutboxQueries(server.ctx.db).findById(recent))?.status === 'sent');
      // The sender prunes when it starts and hourly after; a fresh sender on the same database prunes at once.
      const sweeper = await startTestServer(dialect, { LATCHKEY_SMTP_URL: smtp.url, LATCHKEY_MAIL_POLL_INTERVAL_MS: '100' }, server.database);
      try {
        await waitUntil('the old mail to be deleted', async () => (await mailOutboxQueries(server.ctx.db).findById(old)) === undefined);
        assert.equal((await mailOutboxQueries(server.ctx.db).findById(recent))?.status, 'sent');
      } finally {
        await sweeper.close();
      }
    });

    it('gives up after LATCHKEY_MAIL_MAX_ATTEMPTS and counts the mail as failed', async () => {
      const dead = await startTestServer(dialect, { LATCHKEY_SMTP_URL: 'smtp://127.0.0.1:1', LATCHKEY_MAIL_MAX_ATTEMPTS: '1', LATCHKEY_MAIL_POLL_INTERVAL_MS: '100' });
      try {
        const id = await queue(dead.ctx.db, resetMail('nobody@example.test'));
        dead.ctx.mail.wake();
        const row = await waitUntil('the mail to fail', async () => {
          const r = await mailOutboxQueries(dead.ctx.db).findById(id);
          return r?.status === 'failed' ? r : undefined;
        });
        assert.equal(row.attempts, 1);
        assert.ok(row.last_error);
        assert.match(await (await fetch(`${dead.url}/metrics`)).text(), /latchkey_mail_failed_total\{template="password_reset",final="true"\} 1/);
      } finally {
        await dead.stop();
      }
    });
  });
}

describe('mail outbox: three instances on one PostgreSQL', () => {
  it('every mail is sent exactly once', async () => {
    const smtp = await startSmtpServer();
    const deployment = await startDeployment('postgres', 3, { LATCHKEY_SMTP_URL: smtp.url, LATCHKEY_MAIL_POLL_INTERVAL_MS: '50' });
    try {
      const db = deployment.instances[0]!.ctx.db;
      const now = Date.now();
      const ids = await db.transaction().execute(async (trx) => {
        const queued: string[] = [];
        for (let i = 0; i < 40; i++) queued.push(await enqueueMail(trx, resetMail(`user${i}@example.test`), now));
        return queued;
      });
      for (const instance of deployment.instances) instance.ctx.mail.wake();
      await waitUntil(
        'every mail to be marked sent',
        async () => (await db.selectFrom('mail_outbox').select('id').where('status', '=', 'sent').execute()).length === ids.length,
        60_000,
      );
      // Stopping drains every sender (a send in flight finishes first), so a duplicate would have arrived by now.
      await deployment.stop();
      const messageIds = smtp.received.map((m) => m.messageId);
      assert.equal(messageIds.length, ids.length, 'no mail twice, none missing');
      assert.deepEqual(new Set(messageIds), new Set(ids.map((id) => `<${id}@latchkey>`)));
    } finally {
      await deployment.stop().catch(() => {});
      await smtp.stop();
    }
  });
});

describe('mail sender and shutdown', () => {
  it('lets the send in flight finish when the server stops, then claims nothing more', async () => {
    const smtp = await startSmtpServer();
    smtp.setDelay(1500);
    const server = await startTestServer('sqlite', { LATCHKEY_SMTP_URL: smtp.url, LATCHKEY_MAIL_POLL_INTERVAL_MS: '50' });
    try {
      const id = await queue(server.ctx.db, resetMail('slow@example.test'));
      server.ctx.mail.wake();
      await waitUntil('the sender to claim the mail', async () => (await mailOutboxQueries(server.ctx.db).findById(id))?.claimed_by !== null);
      const later = await queue(server.ctx.db, resetMail('after-stop@example.test'));
      await server.close(); // drains: the SMTP answer arrives, the row is marked sent, then the database closes
      assert.equal(smtp.received.filter((m) => m.to === 'slow@example.test').length, 1);
      const reopened = await startTestServer('sqlite', { LATCHKEY_SMTP_URL: 'smtp://127.0.0.1:1' }, server.database);
      try {
        const sent = await mailOutboxQueries(reopened.ctx.db).findById(id);
        assert.equal(sent?.status, 'sent', 'marked sent before the database closed');
        assert.equal((await mailOutboxQueries(reopened.ctx.db).findById(later))?.attempts, 0, 'nothing claimed during or after the drain');
      } finally {
        await reopened.close();
      }
    } finally {
      await server.database.drop();
      await smtp.stop();
    }
  });

  it('says at start that mail goes to the log and the data directory when LATCHKEY_SMTP_URL is unset', async () => {
    const database = await createTestDatabase('sqlite');
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', LATCHKEY_DATABASE_URL: database.url, LATCHKEY_DATA_DIR: database.dir, LATCHKEY_SECRET: TEST_SECRET });
    const server = await startServer(config, await createLatchkey(config, { logger }));
    try {
      const notice = lines.find((line) => String(line.msg).startsWith('LATCHKEY_SMTP_URL is not set'));
      assert.ok(notice, JSON.stringify(lines.map((l) => l.msg)));
      assert.equal(notice.directory, join(database.dir, 'mail'));
    } finally {
      await server.close();
      await database.drop();
    }
  });
});

describe('mail without SMTP (local development)', () => {
  it('writes each mail to <data dir>/mail/<id>.eml', async () => {
    const server = await startTestServer('sqlite', { LATCHKEY_MAIL_POLL_INTERVAL_MS: '100' });
    try {
      assert.equal(server.ctx.mail.transport.isLocalSink, true);
      const id = await queue(server.ctx.db, resetMail('local@example.test'));
      server.ctx.mail.wake();
      const file = join(server.database.dir, 'mail', `${id}.eml`);
      await waitUntil('the mail file', async () => existsSync(file) && (await mailOutboxQueries(server.ctx.db).findById(id))?.status === 'sent');
      const eml = await simpleParser(readFileSync(file));
      assert.equal(eml.subject, 'Reset your Acme password');
      assert.match(JSON.stringify(eml.to), /local@example\.test/);
      assert.match(eml.text ?? '', /reset-password\?token=abc/);
    } finally {
      await server.stop();
    }
  });
});
