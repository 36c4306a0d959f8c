/**
 * The one seam to nodemailer: SMTP when LATCHKEY_SMTP_URL is set (TLS as the URL says: smtps:// from the
 * start, smtp:// with STARTTLS when offered), otherwise a local sink that writes each mail to the log and as an
 * .eml file under `<data dir>/mail/`, so links can be clicked on a developer's machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { Config } from '../config/load-config.ts';

export interface MailMessage {
  readonly id: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface MailTransport {
  /** Where mail goes, for the start-up log (never credentials). */
  readonly description: string;
  readonly isLocalSink: boolean;
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/** SMTP timeouts stay well under the outbox lease, so a claim never lapses while a send is still running. */
export const SMTP_TIMEOUT_MS = 15_000;

export function createMailTransport(config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'dataDir'>, logger: Logger): MailTransport {
  if (config.smtpUrl !== undefined) {
    const url = new URL(config.smtpUrl);
    const transporter = nodemailer.createTransport({
      url: config.smtpUrl,
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
    } as Parameters<typeof nodemailer.createTransport>[0]);
    return {
      description: `${url.protocol}//${url.host}`,
      isLocalSink: false,
      async send(message) {
        await transporter.sendMail({ from: config.mailFrom, to: message.to, subject: message.subject, text: message.text, html: message.html, messageId: `<${message.id}@latchkey>` });
      },
      close: () => transporter.close(),
    };
  }
  const directory = resolve(config.dataDir, 'mail');
  const writer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    description: directory,
    isLocalSink: true,
    async send(message) {
      const info = await writer.sendMail({ from: config.mailFrom, to: message.to, subject: message.subject, text: message.text, html: message.html, messageId: `<${message.id}@latchkey>` });
      mkdirSync(directory, { recursive: true, mode: 0o700 });
      const file = join(directory, `${message.id}.eml`);
      writeFileSync(file, info.message as Buffer, { mode: 0o600 });
      logger.info({ mail: message.id, to: message.to, subject: message.subject, file, text: message.text }, 'mail written to the local mail directory (LATCHKEY_SMTP_URL is not set)');
    },
    close: () => writer.close(),
  };
}
