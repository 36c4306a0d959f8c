/** Pieces every self-service page shares: catalog messages, an error tied to its field, a notice, a link. */
import { html } from '../../interaction/html.ts';
import type { SafeHtml } from '../../interaction/html.ts';
import type { PageOptions } from '../../interaction/layout.ts';
import type { PageMessage } from '../../interaction/pages/login-page.ts';
import type { Translator } from '../../i18n/translator.ts';

export type { PageMessage };

export function message(key: string, values?: PageMessage['values']): PageMessage {
  return values === undefined ? { key } : { key, values };
}

export function say(t: Translator, text: PageMessage): string {
  return t.text(text.key, text.values);
}

export function formError(t: Translator, error: PageMessage | undefined): SafeHtml | string {
  return error ? html`<p class="alert" role="alert" id="form-error">${say(t, error)}</p>` : '';
}

/** `aria-describedby` for the field the error is about. */
export function describedBy(error: PageMessage | undefined): SafeHtml | string {
  return error ? html` aria-describedby="form-error" aria-invalid="true"` : '';
}

/** A page that only says something: "check your mail", "password changed", "this link does not work". */
export function noticePage(input: { tenantName: string; title: PageMessage; message: PageMessage; alert?: boolean; link?: { href: string; text: PageMessage } }): PageOptions {
  return {
    tenantName: input.tenantName,
    content: (t) => ({
      title: say(t, input.title),
      body: html`<h1>${say(t, input.title)}</h1>
<p class="${input.alert ? 'alert' : 'notice'}" role="${input.alert ? 'alert' : 'status'}">${say(t, input.message)}</p>
${input.link ? html`<p><a href="${input.link.href}">${say(t, input.link.text)}</a></p>` : ''}`,
    }),
  };
}

const LINK_PROBLEMS: Readonly<Record<string, string>> = {
  missing: 'page.link.missing',
  unknown: 'page.link.unknown',
  expired: 'page.link.expired',
  used: 'page.link.used',
  revoked: 'page.link.revoked',
  stale: 'page.link.stale',
};

/** The clear page for a link that cannot be used (400): why, that nothing changed, and what to do. */
export function linkProblemPage(tenantName: string, problem: string, retry?: string): PageOptions {
  return noticePage({
    tenantName,
    title: message('page.link.title'),
    message: message(LINK_PROBLEMS[problem] ?? 'page.link.unknown'),
    alert: true,
    ...(retry ? { link: { href: retry, text: message('page.link.ask_again') } } : {}),
  });
}

export function checkMailPage(tenantName: string, email: string, back?: string): PageOptions {
  return noticePage({
    tenantName,
    title: message('page.self_service.check_mail_title'),
    message: message('page.self_service.check_mail', { email }),
    ...(back ? { link: { href: back, text: message('page.self_service.back_to_sign_in') } } : {}),
  });
}
