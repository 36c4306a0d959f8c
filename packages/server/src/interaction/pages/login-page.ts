import { html } from '../html.ts';
import type { PageOptions } from '../layout.ts';
import { CSRF_FIELD } from '../csrf.ts';

export interface LoginPageInput {
  readonly tenantName: string;
  readonly clientName: string;
  readonly action: string;
  readonly interactionId: string;
  readonly csrfToken: string;
  readonly login?: string;
  /** Shown above the form (wrong password, locked out), announced to screen readers. */
  readonly error?: string;
  readonly formTargets: readonly string[];
  /** Self-service links (issue 16): the forgot-password page, and the sign-up page when the tenant has one. */
  readonly forgotPasswordUrl?: string;
  readonly signUpUrl?: string;
}

/** The sign-in form: email or username and password, prefilled by `login_hint`, working without JavaScript. */
export function loginPage(input: LoginPageInput): PageOptions {
  return {
    title: 'Sign in',
    tenantName: input.tenantName,
    formTargets: input.formTargets,
    body: html`<h1>Sign in</h1>
<p>to continue to <strong>${input.clientName}</strong></p>
${input.error ? html`<p class="alert" role="alert" id="form-error">${input.error}</p>` : ''}
<form method="post" action="${input.action}" novalidate>
<input type="hidden" name="interaction" value="${input.interactionId}">
<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">
<label for="login">Email or username</label>
<input type="text" id="login" name="login" value="${input.login ?? ''}" autocomplete="username" autocapitalize="none" spellcheck="false" required${input.login ? '' : html` autofocus`}${input.error ? html` aria-describedby="form-error"` : ''}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${input.login ? html` autofocus` : ''}>
<div class="actions">
<button type="submit" name="action" value="sign_in">Sign in</button>
<button type="submit" name="action" value="cancel" class="secondary" formnovalidate>Cancel</button>
</div>
</form>
${input.forgotPasswordUrl ? html`<p><a href="${input.forgotPasswordUrl}">Forgot your password?</a></p>` : ''}
${input.signUpUrl ? html`<p>New here? <a href="${input.signUpUrl}">Create an account</a></p>` : ''}`,
  };
}
