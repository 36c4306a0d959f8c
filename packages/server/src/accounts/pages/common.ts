/** Pieces every self-service page shares: an error summary tied to its field, a status notice, a link back. */
import { html } from '../../interaction/html.ts';
import type { SafeHtml } from '../../interaction/html.ts';
import type { PageOptions } from '../../interaction/layout.ts';

export function formError(error: string | undefined): SafeHtml | string {
  return error ? html`<p class="alert" role="alert" id="form-error">${error}</p>` : '';
}

/** `aria-describedby` for the field the error is about. */
export function describedBy(error: string | undefined): SafeHtml | string {
  return error ? html` aria-describedby="form-error" aria-invalid="true"` : '';
}

/** A page that only says something: "check your mail", "password changed", "this link does not work". */
export function noticePage(input: { tenantName: string; title: string; message: string; alert?: boolean; link?: { href: string; text: string } }): PageOptions {
  return {
    title: input.title,
    tenantName: input.tenantName,
    body: html`<h1>${input.title}</h1>
<p class="${input.alert ? 'alert' : 'notice'}" role="${input.alert ? 'alert' : 'status'}">${input.message}</p>
${input.link ? html`<p><a href="${input.link.href}">${input.link.text}</a></p>` : ''}`,
  };
}

const LINK_PROBLEMS: Record<string, string> = {
  missing: 'This link is incomplete. Open the link from the mail again, or copy all of it into the address bar.',
  unknown: 'This link is not valid here. It may be incomplete, or it belongs to another site. Nothing was changed.',
  expired: 'This link has expired. Nothing was changed. Ask for a new one.',
  used: 'This link has already been used, and works only once. Nothing was changed.',
  revoked: 'This invitation was withdrawn by an administrator. Nothing was changed. Ask them for a new one if you still need an account.',
};

/** The clear page for a link that cannot be used (400): why, that nothing changed, and what to do. */
export function linkProblemPage(tenantName: string, problem: string, retry?: { href: string; text: string }): PageOptions {
  return noticePage({ tenantName, title: 'This link does not work', message: LINK_PROBLEMS[problem] ?? LINK_PROBLEMS.unknown!, alert: true, ...(retry ? { link: retry } : {}) });
}
