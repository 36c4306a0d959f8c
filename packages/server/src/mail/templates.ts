/**
 * Mail templates are data (`templates/<locale>.ts`): rendering fills `{{name}}` placeholders, escaping them in
 * the HTML part, and wraps the HTML in one plain frame. A missing locale or template falls back to English.
 */
import { escapeHtml } from '../interaction/html.ts';
import { en } from './templates/en.ts';

export type TemplateName = 'password_reset' | 'password_reset_unknown' | 'email_verification' | 'email_change' | 'registration' | 'registration_existing' | 'invitation';

export interface MailTemplate {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export type TemplateSet = Readonly<Record<TemplateName, MailTemplate>>;

export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const LOCALES: Readonly<Record<string, TemplateSet>> = { en };

function fill(template: string, params: Readonly<Record<string, string>>, escape: (value: string) => string): string {
  return template.replace(/\{\{([a-z_]+)\}\}/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`mail template parameter "${name}" is missing`);
    return escape(value);
  });
}

export function renderMail(name: TemplateName, locale: string | undefined, params: Readonly<Record<string, string>>): RenderedMail {
  const set = (locale !== undefined ? LOCALES[locale] ?? LOCALES[locale.split('-')[0]!] : undefined) ?? en;
  const template = set[name] ?? en[name];
  const subject = fill(template.subject, params, (v) => v.replace(/[\r\n]+/g, ' '));
  const body = fill(template.html, params, escapeHtml);
  return {
    subject,
    text: fill(template.text, params, (v) => v),
    html: `<!doctype html><html lang="${escapeHtml(locale ?? 'en')}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#111827">${body}</body></html>`,
  };
}
