import { html } from '../../interaction/html.ts';
import type { PageOptions } from '../../interaction/layout.ts';
import { CSRF_FIELD } from '../../interaction/csrf.ts';
import { passkeyForm, PASSKEY_SCRIPT } from './passkey-form.ts';
import type { PasskeyFormInput } from './passkey-form.ts';

export interface SecondFactorPageInput {
  readonly tenantName: string;
  readonly issuer: string;
  readonly csrfToken: string;
  readonly hidden: Readonly<Record<string, string>>;
  readonly totp: boolean;
  readonly recovery: boolean;
  readonly passkey?: Omit<PasskeyFormInput, 'mode' | 'label' | 'action' | 'csrfToken' | 'hidden'>;
  /** The application waiting, for a sign-in; absent on the account page. */
  readonly clientName?: string;
  readonly error?: string;
  readonly formTargets: readonly string[];
}

function hiddenFields(fields: Readonly<Record<string, string>>) {
  return Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
}

/** "Confirm it's you": a code from the authenticator app, a passkey, or a recovery code. */
export function secondFactorPage(input: SecondFactorPageInput): PageOptions {
  const common = html`<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">${hiddenFields(input.hidden)}`;
  return {
    title: 'Confirm it’s you',
    tenantName: input.tenantName,
    formTargets: input.formTargets,
    ...(input.passkey ? { moduleScripts: [PASSKEY_SCRIPT] } : {}),
    body: html`<h1>Confirm it’s you</h1>
<p>${input.clientName ? html`To continue to <strong>${input.clientName}</strong>, use` : 'Use'} your second factor.</p>
${input.error ? html`<p class="alert" role="alert" id="form-error">${input.error}</p>` : ''}
${input.totp ? html`<form method="post" action="${input.issuer}/mfa/totp" novalidate>
${common}
<label for="code">6-digit code from your authenticator app</label>
<input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="12" required autofocus${input.error ? html` aria-describedby="form-error"` : ''}>
<div class="actions"><button type="submit">Verify</button></div>
</form>` : ''}
${input.passkey ? html`${input.totp ? html`<hr>` : ''}${passkeyForm({ ...input.passkey, mode: 'authenticate', label: 'Use a passkey', action: `${input.issuer}/mfa/passkey`, csrfToken: input.csrfToken, hidden: input.hidden })}<noscript><p>Passkeys need JavaScript.</p></noscript>` : ''}
${input.recovery ? html`<hr><form method="post" action="${input.issuer}/mfa/recovery" novalidate>
${common}
<label for="recovery-code">Or a recovery code</label>
<input type="text" id="recovery-code" name="recovery_code" autocomplete="off" autocapitalize="none" spellcheck="false" maxlength="40">
<div class="actions"><button type="submit" class="secondary">Use recovery code</button></div>
</form>` : ''}
${input.clientName ? html`<form method="post" action="${input.issuer}/mfa/cancel">${common}<div class="actions"><button type="submit" class="secondary">Cancel sign-in</button></div></form>` : ''}`,
  };
}
