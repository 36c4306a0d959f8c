import { html } from '../html.ts';
import type { PageOptions } from '../layout.ts';

/** `reference`: the request id, to quote to support (it is in the logs and the audit event). */
export function errorPage(input: { tenantName?: string; title: string; description: string; code: string; reference?: string }): PageOptions {
  return {
    title: input.title,
    ...(input.tenantName === undefined ? {} : { tenantName: input.tenantName }),
    body: html`<h1>${input.title}</h1>
<p class="alert" role="alert">${input.description}</p>
<p>Error code: <code>${input.code}</code>. Go back to the application and start again.</p>
${input.reference === undefined ? '' : html`<p>Reference: <code id="reference">${input.reference}</code></p>`}`,
  };
}
