import { html } from '../../interaction/html.ts';
import type { PageOptions } from '../../interaction/layout.ts';
import { CSRF_FIELD } from '../../interaction/csrf.ts';
import { formError } from './common.ts';

export interface InvitationPageInput {
  readonly tenantName: string;
  readonly action: string;
  readonly csrfToken: string;
  readonly token: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly minLength: number;
  readonly error?: string;
}

export function invitationPage(input: InvitationPageInput): PageOptions {
  return {
    title: 'Accept your invitation',
    tenantName: input.tenantName,
    body: html`<h1>Accept your invitation</h1>
<p>You are invited to an account for <strong>${input.email}</strong>. Choose your password to accept.</p>
${formError(input.error)}
<form method="post" action="${input.action}" novalidate>
<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">
<input type="hidden" name="token" value="${input.token}">
<input type="text" name="username" value="${input.email}" autocomplete="username" hidden>
<label for="first_name">First name</label>
<input type="text" id="first_name" name="first_name" value="${input.firstName}" autocomplete="given-name" maxlength="200">
<label for="last_name">Last name</label>
<input type="text" id="last_name" name="last_name" value="${input.lastName}" autocomplete="family-name" maxlength="200">
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="new-password" required autofocus aria-describedby="password-hint${input.error ? ' form-error' : ''}">
<p id="password-hint">At least ${input.minLength} characters. A few unrelated words together make a strong password.</p>
<div class="actions"><button type="submit">Accept and create my account</button></div>
</form>`,
  };
}
