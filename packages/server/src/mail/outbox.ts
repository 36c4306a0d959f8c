/**
 * Queues a mail in the outbox, inside the caller's transaction: the mail exists if and only if the change that
 * causes it (a reset token, an invitation) committed. The background sender (`sender.ts`) delivers it.
 */
import type { Database } from '../db/database.ts';
import { mailOutboxQueries } from '../db/queries/mail-outbox.ts';
import { newId } from '../util/ids.ts';
import { renderMail } from './templates.ts';
import type { TemplateName } from './templates.ts';

export interface OutgoingMail {
  readonly tenantId: string | null;
  readonly to: string;
  readonly template: TemplateName;
  /** The language of the request that caused the mail (falls back to English). */
  readonly locale?: string;
  readonly params: Readonly<Record<string, string>>;
}

export async function enqueueMail(db: Database, mail: OutgoingMail, now: number): Promise<string> {
  const rendered = renderMail(mail.template, mail.locale, mail.params);
  const id = newId('mail', now);
  await mailOutboxQueries(db).insert({
    id,
    tenant_id: mail.tenantId,
    template: mail.template,
    recipient: mail.to,
    subject: rendered.subject,
    text_body: rendered.text,
    html_body: rendered.html,
    status: 'pending',
    attempts: 0,
    next_attempt_at: now,
    claimed_by: null,
    claimed_until: null,
    last_error: null,
    created_at: now,
    sent_at: null,
  });
  return id;
}
