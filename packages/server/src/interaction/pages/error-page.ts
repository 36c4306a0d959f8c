import { html } from '../html.ts';
import type { PageOptions } from '../layout.ts';

/** The catalog key of an error page's title, by HTTP status. */
export function errorTitleKey(status: number): string {
  if (status >= 500) return 'page.error.title_server';
  if (status === 403) return 'page.error.title_forbidden';
  if (status === 404) return 'page.error.title_not_found';
  if (status === 429) return 'page.error.title_too_many';
  return 'page.error.title_bad_request';
}

/**
 * `description` is the error's own (English, technical) description when it may be shown; it is marked
 * `lang="en"` so a screen reader reading a German page switches voice for it. `reference` is the request id, to
 * quote to support (it is in the logs and the audit event).
 */
export function errorPage(input: { tenantName?: string; status: number; description: string | undefined; code: string; reference?: string }): PageOptions {
  return {
    ...(input.tenantName === undefined ? {} : { tenantName: input.tenantName }),
    content: (t) => ({
      title: t.text(errorTitleKey(input.status)),
      body: html`<h1>${t.text(errorTitleKey(input.status))}</h1>
${input.description === undefined ? html`<p class="alert" role="alert">${t.text('page.error.server_description')}</p>` : html`<p class="alert" role="alert" lang="en">${input.description}</p>`}
<p>${t.html('page.error.code', { error: input.code })}</p>
${input.reference === undefined ? '' : html`<p id="reference">${t.html('page.error.reference', { reference: input.reference })}</p>`}`,
    }),
  };
}
