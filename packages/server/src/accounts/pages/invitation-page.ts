import { html } from '../../interaction/html.ts';
import type { PageOptions } from '../../interaction/layout.ts';
import { CSRF_FIELD } from '../../interaction/csrf.ts';
import { formError } from './common.ts';
import type { PageMessage } from './common.ts';

export interface InvitationPageInput {
  readonly tenantName: string;
  readonly action: string;
  readonly csrfToken: string;
  readonly token: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly minLength: number;
  readonly error?: PageMessage;
}

export function invitationPage(input: InvitationPageInput): PageOptions {
  return {
    tenantName: input.tenantName,
    content: (t) => ({
      title: t.text('page.invitation.title'),
      body: html`<h1>${t.text('page.invitation.title')}</h1>
<p>${t.html('page.invitation.intro', { email: input.email })}</p>
${formError(t, input.error)}
<form method="post" action="${input.action}" novalidate>
<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">
<input type="hidden" name="token" value="${input.token}">
<input type="text" name="username" value="${input.email}" autocomplete="username" hidden>
<label for="first_name">${t.text('page.self_service.field_first_name')}</label>
<input type="text" id="first_name" name="first_name" value="${input.firstName}" autocomplete="given-name" maxlength="200">
<label for="last_name">${t.text('page.self_service.field_last_name')}</label>
<input type="text" id="last_name" name="last_name" value="${input.lastName}" autocomplete="family-name" maxlength="200">
<label for="password">${t.text('page.self_service.field_password')}</label>
<input type="password" id="password" name="password" autocomplete="new-password" required autofocus aria-describedby="password-hint${input.error ? ' form-error' : ''}">
<p id="password-hint">${t.text('page.self_service.password_hint', { min: input.minLength })}</p>
<div class="actions"><button type="submit">${t.text('page.invitation.submit')}</button></div>
</form>`,
    }),
  };
}
