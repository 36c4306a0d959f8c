/**
 * Mail templates are data: each mail is a few messages of the catalogs (`i18n/catalogs/<locale>.json`, keys
 * `mail.<name>.subject|intro|action|note`), in the language of the request that caused it (or the tenant's
 * default). One plain layout turns them into the text part and the HTML part (values escaped there); the link
 * is the mail's one call to action.
 */
import { escapeHtml } from '../interaction/html.ts';
import { isSupportedLocale, REFERENCE_LOCALE } from '../i18n/catalogs.ts';
import { translatorFor } from '../i18n/translator.ts';

interface MailMessages {
  readonly subject: string;
  readonly intro: string;
  /** The link's text; absent for a mail without a link. */
  readonly action?: string;
  readonly note?: string;
}

const MAILS = {
  password_reset: { subject: 'mail.password_reset.subject', intro: 'mail.password_reset.intro', action: 'mail.password_reset.action', note: 'mail.password_reset.note' },
  password_reset_unknown: { subject: 'mail.password_reset_unknown.subject', intro: 'mail.password_reset_unknown.intro', note: 'mail.password_reset_unknown.note' },
  email_verification: { subject: 'mail.email_verification.subject', intro: 'mail.email_verification.intro', action: 'mail.email_verification.action', note: 'mail.email_verification.note' },
  email_change: { subject: 'mail.email_change.subject', intro: 'mail.email_change.intro', action: 'mail.email_change.action', note: 'mail.email_change.note' },
  registration: { subject: 'mail.registration.subject', intro: 'mail.registration.intro', action: 'mail.registration.action', note: 'mail.registration.note' },
  registration_existing: { subject: 'mail.registration_existing.subject', intro: 'mail.registration_existing.intro', action: 'mail.registration_existing.action' },
  invitation: { subject: 'mail.invitation.subject', intro: 'mail.invitation.intro', action: 'mail.invitation.action', note: 'mail.invitation.note' },
} as const satisfies Record<string, MailMessages>;

export type TemplateName = keyof typeof MAILS;

export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** `params.link` is the call to action; the other values fill the messages. */
export function renderMail(name: TemplateName, locale: string | undefined, params: Readonly<Record<string, string>>): RenderedMail {
  const t = translatorFor(locale !== undefined && isSupportedLocale(locale) ? locale : REFERENCE_LOCALE);
  const messages: MailMessages = MAILS[name];
  const subject = t.text(messages.subject, params).replace(/[\r\n]+/g, ' ');
  const intro = t.text(messages.intro, params);
  const action = messages.action === undefined ? undefined : t.text(messages.action, params);
  const note = messages.note === undefined ? undefined : t.text(messages.note, params);
  const link = params.link;
  if (action !== undefined && link === undefined) throw new Error(`mail ${name} needs a link`);
  const text = [intro, action !== undefined ? `${action}:\n${link}` : undefined, note].filter((part) => part !== undefined).join('\n\n') + '\n';
  const body = [
    `<p>${escapeHtml(intro)}</p>`,
    action !== undefined ? `<p><a href="${escapeHtml(link!)}">${escapeHtml(action)}</a></p>` : '',
    note !== undefined ? `<p>${escapeHtml(note)}</p>` : '',
  ].join('');
  return {
    subject,
    text,
    html: `<!doctype html><html lang="${escapeHtml(t.locale)}" dir="${t.dir}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#111827">${body}</body></html>`,
  };
}
