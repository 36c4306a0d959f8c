import { html } from '../../interaction/html.ts';
import type { PageOptions } from '../../interaction/layout.ts';
import { CSRF_FIELD } from '../../interaction/csrf.ts';
import { describedBy, formError } from './common.ts';

export interface ForgotPasswordInput {
  readonly tenantName: string;
  readonly action: string;
  readonly csrfToken: string;
  readonly interaction?: string;
  readonly email?: string;
  readonly error?: string;
  readonly signInUrl?: string;
}

/** "Forgot password?": one question, the email address. */
export function forgotPasswordPage(input: ForgotPasswordInput): PageOptions {
  return {
    title: 'Reset your password',
    tenantName: input.tenantName,
    body: html`<h1>Reset your password</h1>
<p>Enter the email address of your account. We will mail you a link to choose a new password.</p>
${formError(input.error)}
<form method="post" action="${input.action}" novalidate>
<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">
${input.interaction ? html`<input type="hidden" name="interaction" value="${input.interaction}">` : ''}
<label for="email">Email address</label>
<input type="email" id="email" name="email" value="${input.email ?? ''}" autocomplete="email" autocapitalize="none" spellcheck="false" required autofocus${describedBy(input.error)}>
<div class="actions"><button type="submit">Send the link</button></div>
</form>
${input.signInUrl ? html`<p><a href="${input.signInUrl}">Back to sign-in</a></p>` : ''}`,
  };
}

export interface ResetPasswordInput {
  readonly tenantName: string;
  readonly action: string;
  readonly csrfToken: string;
  readonly token: string;
  readonly email: string;
  readonly error?: string;
}

export function resetPasswordPage(input: ResetPasswordInput): PageOptions {
  return {
    title: 'Choose a new password',
    tenantName: input.tenantName,
    body: html`<h1>Choose a new password</h1>
<p>For <strong>${input.email}</strong>. Every device signed in to this account will be signed out.</p>
${formError(input.error)}
<form method="post" action="${input.action}" novalidate>
<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">
<input type="hidden" name="token" value="${input.token}">
<input type="text" name="username" value="${input.email}" autocomplete="username" hidden aria-hidden="true" tabindex="-1">
<label for="password">New password</label>
<input type="password" id="password" name="password" autocomplete="new-password" required autofocus${describedBy(input.error)}>
<div class="actions"><button type="submit">Set the new password</button></div>
</form>`,
  };
}
