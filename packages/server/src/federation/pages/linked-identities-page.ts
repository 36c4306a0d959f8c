import { html } from '../../interaction/html.ts';
import type { PageOptions } from '../../interaction/layout.ts';
import { CSRF_FIELD } from '../../interaction/csrf.ts';

export interface LinkedIdentitiesInput {
  readonly tenantName: string;
  readonly action: string;
  readonly csrfToken: string;
  readonly identities: ReadonlyArray<{ readonly connection: string; readonly name: string; readonly subject: string; readonly email: string | null }>;
  /** Shown after an unlink, or when one was refused (the last way to sign in). */
  readonly notice?: { readonly key: string; readonly values?: Record<string, string> };
  readonly error?: { readonly key: string };
}

/** The signed-in user's linked sign-in methods, each with an unlink button (a CSRF-checked form). */
export function linkedIdentitiesPage(input: LinkedIdentitiesInput): PageOptions {
  return {
    tenantName: input.tenantName,
    content: (t) => ({
      title: t.text('page.identities.title'),
      body: html`<h1>${t.text('page.identities.title')}</h1>
${input.error ? html`<p class="alert" role="alert">${t.text(input.error.key)}</p>` : ''}
${input.notice ? html`<p class="notice" role="status">${t.text(input.notice.key, input.notice.values)}</p>` : ''}
${input.identities.length === 0 ? html`<p>${t.text('page.identities.none')}</p>` : html`<ul class="identities">${input.identities.map(
        (identity) => html`<li><strong>${identity.name}</strong>${identity.email ? html` (${identity.email})` : ''}
<form method="post" action="${input.action}">
<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">
<input type="hidden" name="connection" value="${identity.connection}">
<input type="hidden" name="subject" value="${identity.subject}">
<button type="submit" class="secondary">${t.text('page.identities.unlink', { connection: identity.name })}</button>
</form></li>`,
      )}</ul>`}`,
    }),
  };
}
