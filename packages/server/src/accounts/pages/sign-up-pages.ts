import { html } from '../../interaction/html.ts';
import type { PageOptions } from '../../interaction/layout.ts';
import { CSRF_FIELD } from '../../interaction/csrf.ts';
import { formError, say } from './common.ts';
import type { PageMessage } from './common.ts';

export interface SignUpPageInput {
  readonly tenantName: string;
  readonly action: string;
  readonly csrfToken: string;
  readonly interaction?: string;
  readonly values: { readonly email?: string; readonly firstName?: string; readonly lastName?: string };
  readonly error?: PageMessage;
  readonly minLength: number;
  readonly allowedDomains: readonly string[];
  readonly signInUrl?: string;
}

export function signUpPage(input: SignUpPageInput): PageOptions {
  return {
    tenantName: input.tenantName,
    content: (t) => ({
      title: t.text('page.sign_up.title'),
      body: html`<h1>${t.text('page.sign_up.title')}</h1>
${formError(t, input.error)}
<form method="post" action="${input.action}" novalidate>
<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">
${input.interaction ? html`<input type="hidden" name="interaction" value="${input.interaction}">` : ''}
<label for="first_name">${t.text('page.self_service.field_first_name')}</label>
<input type="text" id="first_name" name="first_name" value="${input.values.firstName ?? ''}" autocomplete="given-name" maxlength="200">
<label for="last_name">${t.text('page.self_service.field_last_name')}</label>
<input type="text" id="last_name" name="last_name" value="${input.values.lastName ?? ''}" autocomplete="family-name" maxlength="200">
<label for="email">${t.text('page.self_service.field_email')}</label>
<input type="email" id="email" name="email" value="${input.values.email ?? ''}" autocomplete="email" autocapitalize="none" spellcheck="false" required aria-describedby="email-hint${input.error ? ' form-error' : ''}">
<p id="email-hint">${input.allowedDomains.length > 0 ? t.text('page.sign_up.email_hint_domains', { domains: input.allowedDomains.join(', ') }) : t.text('page.sign_up.email_hint')}</p>
<label for="password">${t.text('page.self_service.field_password')}</label>
<input type="password" id="password" name="password" autocomplete="new-password" required aria-describedby="password-hint${input.error ? ' form-error' : ''}">
<p id="password-hint">${t.text('page.self_service.password_hint', { min: input.minLength })}</p>
<div class="actions"><button type="submit">${t.text('page.sign_up.submit')}</button></div>
</form>
${input.signInUrl ? html`<p>${t.text('page.sign_up.have_account')} <a href="${input.signInUrl}">${t.text('page.sign_up.sign_in')}</a></p>` : ''}`,
    }),
  };
}

export interface ConfirmPageInput {
  readonly tenantName: string;
  readonly action: string;
  readonly csrfToken: string;
  readonly token: string;
  readonly title: PageMessage;
  readonly message: PageMessage;
  readonly button: PageMessage;
}

/** The page a mailed link opens: one button, so a link scanner's GET changes nothing. */
export function confirmPage(input: ConfirmPageInput): PageOptions {
  return {
    tenantName: input.tenantName,
    content: (t) => ({
      title: say(t, input.title),
      body: html`<h1>${say(t, input.title)}</h1>
<p>${say(t, input.message)}</p>
<form method="post" action="${input.action}">
<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">
<input type="hidden" name="token" value="${input.token}">
<div class="actions"><button type="submit" autofocus>${say(t, input.button)}</button></div>
</form>`,
    }),
  };
}
