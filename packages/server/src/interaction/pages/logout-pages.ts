import { html } from '../html.ts';
import type { PageOptions } from '../layout.ts';
import { CSRF_FIELD } from '../csrf.ts';

export interface LogoutConfirmInput {
  readonly tenantName: string;
  readonly clientName?: string;
  readonly action: string;
  readonly csrfToken: string;
  /** Carried through the confirmation and checked again when it is posted. */
  readonly hidden: Readonly<Record<string, string | undefined>>;
  readonly formTargets: readonly string[];
}

export function logoutConfirmPage(input: LogoutConfirmInput): PageOptions {
  return {
    title: 'Sign out',
    tenantName: input.tenantName,
    formTargets: input.formTargets,
    body: html`<h1>Sign out?</h1>
<p>${input.clientName ? html`<strong>${input.clientName}</strong> asks to sign you out of ${input.tenantName}.` : html`Do you want to sign out of ${input.tenantName}?`}</p>
<form method="post" action="${input.action}">
<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">
${Object.entries(input.hidden).map(([name, value]) => (value === undefined ? '' : html`<input type="hidden" name="${name}" value="${value}">`))}
<div class="actions">
<button type="submit" name="decision" value="logout" autofocus>Sign out</button>
<button type="submit" name="decision" value="stay" class="secondary">Stay signed in</button>
</div>
</form>`,
  };
}

export function signedOutPage(tenantName: string, signedOut: boolean): PageOptions {
  return {
    title: signedOut ? 'Signed out' : 'Still signed in',
    tenantName,
    body: signedOut
      ? html`<h1>You are signed out</h1><p class="notice" role="status">You have signed out of ${tenantName}. You can close this window.</p>`
      : html`<h1>You are still signed in</h1><p class="notice" role="status">Nothing was changed.</p>`,
  };
}
