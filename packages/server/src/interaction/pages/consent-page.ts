import { html } from '../html.ts';
import type { PageOptions } from '../layout.ts';
import { CSRF_FIELD } from '../csrf.ts';
import type { Translator } from '../../i18n/translator.ts';

/** The catalog key of each scope Latchkey describes in plain words. */
const SCOPE_KEYS: Record<string, string> = {
  openid: 'page.consent.scope_openid',
  profile: 'page.consent.scope_profile',
  email: 'page.consent.scope_email',
  offline_access: 'page.consent.scope_offline_access',
};

/** A scope in plain words; scopes Latchkey does not know are named as they are. */
export function describeScope(t: Translator, scope: string): string {
  const key = SCOPE_KEYS[scope];
  return key === undefined ? t.text('page.consent.scope_other', { scope }) : t.text(key);
}

export interface ConsentPageInput {
  readonly tenantName: string;
  readonly clientName: string;
  /** Undefined when the user has no name, email or username to show. */
  readonly userName: string | undefined;
  readonly scopes: readonly string[];
  readonly action: string;
  readonly interactionId: string;
  readonly csrfToken: string;
  readonly formTargets: readonly string[];
  readonly uiLocales?: string | undefined;
}

export function consentPage(input: ConsentPageInput): PageOptions {
  return {
    tenantName: input.tenantName,
    formTargets: input.formTargets,
    uiLocales: input.uiLocales,
    content: (t) => ({
      title: t.text('page.consent.title'),
      body: html`<h1>${t.text('page.consent.heading', { client: input.clientName })}</h1>
<p>${t.html('page.consent.intro', { user: input.userName ?? t.text('page.consent.you'), client: input.clientName })}</p>
${
  input.scopes.length > 0
    ? html`<ul class="scopes">${input.scopes.map((scope) => html`<li>${describeScope(t, scope)}</li>`)}</ul>`
    : html`<p>${t.text('page.consent.no_scopes')}</p>`
}
<form method="post" action="${input.action}">
<input type="hidden" name="interaction" value="${input.interactionId}">
<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">
<div class="actions">
<button type="submit" name="decision" value="allow" autofocus>${t.text('page.consent.allow')}</button>
<button type="submit" name="decision" value="deny" class="secondary">${t.text('page.consent.deny')}</button>
</div>
</form>`,
    }),
  };
}
