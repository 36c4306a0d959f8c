import { html } from '../../interaction/html.ts';
import type { PageOptions } from '../../interaction/layout.ts';
import { CSRF_FIELD } from '../../interaction/csrf.ts';
import type { PageMessage } from '../../interaction/pages/login-page.ts';
import { passkeyForm, PASSKEY_SCRIPT } from './passkey-form.ts';
import type { PasskeyFormInput } from './passkey-form.ts';

export interface SecondFactorPageInput {
  readonly tenantName: string;
  readonly issuer: string;
  readonly csrfToken: string;
  readonly hidden: Readonly<Record<string, string>>;
  readonly totp: boolean;
  readonly recovery: boolean;
  readonly passkey?: Pick<PasskeyFormInput, 'challengeId' | 'options'>;
  /** The application waiting, for a sign-in; absent on the account page. */
  readonly clientName?: string;
  readonly error?: PageMessage;
  readonly formTargets: readonly string[];
  readonly uiLocales?: string | undefined;
}

export function hiddenFields(fields: Readonly<Record<string, string>>) {
  return Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
}

/** "Confirm it's you": a code from the authenticator app, a passkey, or a recovery code. */
export function secondFactorPage(input: SecondFactorPageInput): PageOptions {
  const common = html`<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">${hiddenFields(input.hidden)}`;
  return {
    tenantName: input.tenantName,
    formTargets: input.formTargets,
    uiLocales: input.uiLocales,
    ...(input.passkey ? { moduleScripts: [PASSKEY_SCRIPT] } : {}),
    content: (t) => ({
      title: t.text('page.mfa.title'),
      body: html`<h1>${t.text('page.mfa.title')}</h1>
<p>${input.clientName ? t.html('page.mfa.intro_client', { client: input.clientName }) : t.text('page.mfa.intro')}</p>
${input.error ? html`<p class="alert" role="alert" id="form-error">${t.text(input.error.key, input.error.values)}</p>` : ''}
${input.totp ? html`<form method="post" action="${input.issuer}/mfa/totp" novalidate>
${common}
<label for="code">${t.text('page.mfa.code_label')}</label>
<input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="12" required autofocus${input.error ? html` aria-describedby="form-error"` : ''}>
<div class="actions"><button type="submit">${t.text('page.mfa.verify')}</button></div>
</form>` : ''}
${input.passkey ? html`${input.totp ? html`<hr>` : ''}${passkeyForm(t, { ...input.passkey, mode: 'authenticate', label: t.text('page.passkey.use'), action: `${input.issuer}/mfa/passkey`, csrfToken: input.csrfToken, hidden: input.hidden })}` : ''}
${input.recovery ? html`<hr><form method="post" action="${input.issuer}/mfa/recovery" novalidate>
${common}
<label for="recovery-code">${t.text('page.mfa.recovery_label')}</label>
<input type="text" id="recovery-code" name="recovery_code" autocomplete="off" autocapitalize="none" spellcheck="false" maxlength="40">
<div class="actions"><button type="submit" class="secondary">${t.text('page.mfa.recovery_submit')}</button></div>
</form>` : ''}
${input.clientName ? html`<form method="post" action="${input.issuer}/mfa/cancel">${common}<div class="actions"><button type="submit" class="secondary">${t.text('page.mfa.cancel')}</button></div></form>` : ''}`,
    }),
  };
}
