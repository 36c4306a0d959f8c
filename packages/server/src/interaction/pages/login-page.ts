import { html } from '../html.ts';
import type { PageOptions } from '../layout.ts';
import { CSRF_FIELD } from '../csrf.ts';
import { passkeyForm, PASSKEY_SCRIPT } from '../../authentication/pages/passkey-form.ts';

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
  /** Offered when passkeys are on: a discoverable-credential ceremony (button, and autofill in the login field). */
  readonly passkey?: { readonly action: string; readonly challengeId: string; readonly options: unknown };
}

/** The sign-in form: email or username and password, prefilled by `login_hint`, working without JavaScript. */
export function loginPage(input: LoginPageInput): PageOptions {
  return {
    title: 'Sign in',
    tenantName: input.tenantName,
    formTargets: input.formTargets,
    ...(input.passkey ? { moduleScripts: [PASSKEY_SCRIPT] } : {}),
    body: html`<h1>Sign in</h1>
<p>to continue to <strong>${input.clientName}</strong></p>
${input.error ? html`<p class="alert" role="alert" id="form-error">${input.error}</p>` : ''}
<form method="post" action="${input.action}" novalidate>
<input type="hidden" name="interaction" value="${input.interactionId}">
<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">
<label for="login">Email or username</label>
<input type="text" id="login" name="login" value="${input.login ?? ''}" autocomplete="${input.passkey ? 'username webauthn' : 'username'}" autocapitalize="none" spellcheck="false" required${input.login ? '' : html` autofocus`}${input.error ? html` aria-describedby="form-error"` : ''}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${input.login ? html` autofocus` : ''}>
<div class="actions">
<button type="submit" name="action" value="sign_in">Sign in</button>
<button type="submit" name="action" value="cancel" class="secondary" formnovalidate>Cancel</button>
</div>
</form>
${input.passkey ? html`<hr>${passkeyForm({ ...input.passkey, mode: 'autofill', label: 'Sign in with a passkey', csrfToken: input.csrfToken, hidden: { interaction: input.interactionId } })}` : ''}`,
  };
}
