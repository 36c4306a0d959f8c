import { html } from '../html.ts';
import type { PageOptions } from '../layout.ts';

/** The script is a constant so the page's CSP can allow exactly it, by hash. */
const AUTO_SUBMIT = 'document.forms[0].submit();';

/** OAuth 2.0 Form Post Response Mode: the response posted to the redirect URI; a button when scripts are off. */
export function formPostPage(input: { redirectUri: string; fields: Readonly<Record<string, string>>; formTarget: string | undefined }): PageOptions {
  return {
    formTargets: input.formTarget === undefined ? [] : [input.formTarget],
    script: AUTO_SUBMIT,
    content: (t) => ({
      title: t.text('page.form_post.title'),
      body: html`<h1>${t.text('page.form_post.title')}</h1>
<form method="post" action="${input.redirectUri}">
${Object.entries(input.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<noscript><p>${t.text('page.form_post.noscript')}</p></noscript>
<button type="submit">${t.text('page.form_post.submit')}</button>
</form>`,
    }),
  };
}
