import { html } from '../../interaction/html.ts';
import type { PageOptions } from '../../interaction/layout.ts';
import { CSRF_FIELD } from '../../interaction/csrf.ts';
import { formError } from './common.ts';

export interface SignUpPageInput {
  readonly tenantName: string;
  readonly action: string;
  readonly csrfToken: string;
  readonly interaction?: string;
  readonly values: { readonly email?: string; readonly firstName?: string; readonly lastName?: string };
  readonly error?: string;
  readonly minLength: number;
  readonly allowedDomains: readonly string[];
  readonly signInUrl?: string;
}

export function signUpPage(input: SignUpPageInput): PageOptions {
  return {
    title: 'Create your account',
    tenantName: input.tenantName,
    body: html`<h1>Create your account</h1>
${formError(input.error)}
<form method="post" action="${input.action}" novalidate>
<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">
${input.interaction ? html`<input type="hidden" name="interaction" value="${input.interaction}">` : ''}
<label for="first_name">First name</label>
<input type="text" id="first_name" name="first_name" value="${input.values.firstName ?? ''}" autocomplete="given-name" maxlength="200">
<label for="last_name">Last name</label>
<input type="text" id="last_name" name="last_name" value="${input.values.lastName ?? ''}" autocomplete="family-name" maxlength="200">
<label for="email">Email address</label>
<input type="email" id="email" name="email" value="${input.values.email ?? ''}" autocomplete="email" autocapitalize="none" spellcheck="false" required aria-describedby="email-hint">
<p id="email-hint">${input.allowedDomains.length > 0 ? `Addresses at ${input.allowedDomains.join(', ')}. ` : ''}We will mail you a link to confirm it.</p>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="new-password" required aria-describedby="password-hint${input.error ? ' form-error' : ''}">
<p id="password-hint">At least ${input.minLength} characters. A few unrelated words together make a strong password.</p>
<div class="actions"><button type="submit">Create account</button></div>
</form>
${input.signInUrl ? html`<p>Already have an account? <a href="${input.signInUrl}">Sign in</a></p>` : ''}`,
  };
}

export interface ConfirmPageInput {
  readonly tenantName: string;
  readonly action: string;
  readonly csrfToken: string;
  readonly token: string;
  readonly title: string;
  readonly message: string;
  readonly button: string;
}

/** The page a mailed link opens: one button, so a link scanner's GET changes nothing. */
export function confirmPage(input: ConfirmPageInput): PageOptions {
  return {
    title: input.title,
    tenantName: input.tenantName,
    body: html`<h1>${input.title}</h1>
<p>${input.message}</p>
<form method="post" action="${input.action}">
<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">
<input type="hidden" name="token" value="${input.token}">
<div class="actions"><button type="submit" autofocus>${input.button}</button></div>
</form>`,
  };
}
