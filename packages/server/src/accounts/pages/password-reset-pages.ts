import { html } from '../../interaction/html.ts';
import type { PageOptions } from '../../interaction/layout.ts';
import { CSRF_FIELD } from '../../interaction/csrf.ts';
import { describedBy, formError } from './common.ts';
import type { PageMessage } from './common.ts';

export interface ForgotPasswordInput {
  readonly tenantName: string;
  readonly action: string;
  readonly csrfToken: string;
  readonly interaction?: string;
  readonly email?: string;
  readonly error?: PageMessage;
  readonly signInUrl?: string;
}

/** "Forgot password?": one question, the email address. */
export function forgotPasswordPage(input: ForgotPasswordInput): PageOptions {
  return {
    tenantName: input.tenantName,
    content: (t) => ({
      title: t.text('page.forgot.title'),
      body: html`<h1>${t.text('page.forgot.title')}</h1>
<p>${t.text('page.forgot.intro')}</p>
${formError(t, input.error)}
<form method="post" action="${input.action}" novalidate>
<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">
${input.interaction ? html`<input type="hidden" name="interaction" value="${input.interaction}">` : ''}
<label for="email">${t.text('page.self_service.field_email')}</label>
<input type="email" id="email" name="email" value="${input.email ?? ''}" autocomplete="email" autocapitalize="none" spellcheck="false" required autofocus${describedBy(input.error)}>
<div class="actions"><button type="submit">${t.text('page.forgot.submit')}</button></div>
</form>
${input.signInUrl ? html`<p><a href="${input.signInUrl}">${t.text('page.self_service.back_to_sign_in')}</a></p>` : ''}`,
    }),
  };
}

export interface ResetPasswordInput {
  readonly tenantName: string;
  readonly action: string;
  readonly csrfToken: string;
  readonly token: string;
  readonly email: string;
  readonly error?: PageMessage;
}

export function resetPasswordPage(input: ResetPasswordInput): PageOptions {
  return {
    tenantName: input.tenantName,
    content: (t) => ({
      title: t.text('page.reset.title'),
      body: html`<h1>${t.text('page.reset.title')}</h1>
<p>${t.html('page.reset.intro', { email: input.email })}</p>
${formError(t, input.error)}
<form method="post" action="${input.action}" novalidate>
<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">
<input type="hidden" name="token" value="${input.token}">
<input type="text" name="username" value="${input.email}" autocomplete="username" hidden>
<label for="password">${t.text('page.reset.field_password')}</label>
<input type="password" id="password" name="password" autocomplete="new-password" required autofocus${describedBy(input.error)}>
<div class="actions"><button type="submit">${t.text('page.reset.submit')}</button></div>
</form>`,
    }),
  };
}
