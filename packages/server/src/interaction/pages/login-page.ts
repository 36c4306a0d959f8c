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
  /** One button per enabled connection of the tenant (federation). */
  readonly connections?: ReadonlyArray<{ readonly slug: string; readonly name: string; readonly action: string }>;
  /** The connection waiting to be linked once the user signs in with a password here. */
  readonly linking?: string;
}

function connectionButtons(input: LoginPageInput) {
  return html`<h2 class="or">Or continue with</h2>
${(input.connections ?? []).map((c) => html`<form method="post" action="${c.action}" class="connection">
<input type="hidden" name="interaction" value="${input.interactionId}">
<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">
<button type="submit" class="secondary" data-connection="${c.slug}">Continue with ${c.name}</button>
</form>`)}`;
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
${input.linking ? html`<p class="notice" role="status">An account with this email already exists here. Sign in to it once with its password to link your ${input.linking} sign-in.</p>` : ''}
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
${input.connections && input.connections.length > 0 && !input.linking ? connectionButtons(input) : ''}`,
  };
}
