import { html } from '../html.ts';
import type { PageOptions } from '../layout.ts';
import { CSRF_FIELD } from '../csrf.ts';

export interface LogoutConfirmInput {
  readonly tenantName: string;
  readonly clientName?: string;
  readonly action: string;
  readonly csrfToken: string;
  /** Carried through the confirmation and checked again when it is posted. */
  readonly hidden: Readonly<Record<string, string | undefined>>;
  readonly formTargets: readonly string[];
}

export function logoutConfirmPage(input: LogoutConfirmInput): PageOptions {
  return {
    tenantName: input.tenantName,
    formTargets: input.formTargets,
    content: (t) => ({
      title: t.text('page.logout.title'),
      body: html`<h1>${t.text('page.logout.heading')}</h1>
<p>${input.clientName ? t.html('page.logout.client_asks', { client: input.clientName, tenant: input.tenantName }) : t.text('page.logout.question', { tenant: input.tenantName })}</p>
<form method="post" action="${input.action}">
<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">
${Object.entries(input.hidden).map(([name, value]) => (value === undefined ? '' : html`<input type="hidden" name="${name}" value="${value}">`))}
<div class="actions">
<button type="submit" name="decision" value="logout" autofocus>${t.text('page.logout.confirm')}</button>
<button type="submit" name="decision" value="stay" class="secondary">${t.text('page.logout.stay')}</button>
</div>
</form>`,
    }),
  };
}

export function signedOutPage(tenantName: string, signedOut: boolean): PageOptions {
  return {
    tenantName,
    content: (t) =>
      signedOut
        ? { title: t.text('page.signed_out.title'), body: html`<h1>${t.text('page.signed_out.heading')}</h1><p class="notice" role="status">${t.text('page.signed_out.text', { tenant: tenantName })}</p>` }
        : { title: t.text('page.still_signed_in.title'), body: html`<h1>${t.text('page.still_signed_in.heading')}</h1><p class="notice" role="status">${t.text('page.still_signed_in.text')}</p>` },
  };
}
