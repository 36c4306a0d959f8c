import { constantMarkup, html } from '../../interaction/html.ts';
import type { PageOptions } from '../../interaction/layout.ts';
import { CSRF_FIELD } from '../../interaction/csrf.ts';
import { passkeyForm, PASSKEY_SCRIPT } from './passkey-form.ts';
import type { PasskeyFormInput } from './passkey-form.ts';

function hiddenFields(fields: Readonly<Record<string, string>>) {
  return Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
}

export interface EnrolChoiceInput {
  readonly tenantName: string;
  readonly issuer: string;
  /** `?interaction=…` for a sign-in. */
  readonly query: string;
  readonly totp: boolean;
  readonly passkey?: Omit<PasskeyFormInput, 'mode' | 'label' | 'action' | 'askName'>;
  readonly formTargets: readonly string[];
}

/** Enrolment during sign-in: the tenant requires a second factor and the user has none yet. */
export function enrolChoicePage(input: EnrolChoiceInput): PageOptions {
  return {
    title: 'Set up a second factor',
    tenantName: input.tenantName,
    formTargets: input.formTargets,
    ...(input.passkey ? { moduleScripts: [PASSKEY_SCRIPT] } : {}),
    body: html`<h1>Set up a second factor</h1>
<p>${input.tenantName} asks you to protect your account with a second step at sign-in. Choose one:</p>
${input.passkey ? html`<h2>A passkey</h2><p>Your device confirms it’s you with your fingerprint, face or PIN. Nothing to type, and it cannot be phished.</p>${passkeyForm({ ...input.passkey, mode: 'register', label: 'Create a passkey', action: `${input.issuer}/mfa/enrol/passkey`, askName: true })}<noscript><p>Passkeys need JavaScript.</p></noscript>` : ''}
${input.totp ? html`<h2>An authenticator app</h2><p>An app on your phone (for example Google Authenticator, Microsoft Authenticator, 1Password) shows a new 6-digit code every 30 seconds.</p><p><a href="${input.issuer}/mfa/enrol/totp${input.query}">Set up an authenticator app</a></p>` : ''}`,
  };
}

export interface TotpEnrolInput {
  readonly tenantName: string;
  readonly issuer: string;
  readonly csrfToken: string;
  readonly hidden: Readonly<Record<string, string>>;
  readonly factorId: string;
  /** SVG markup made by `qrcode` from our own otpauth URI (no user-controlled markup). */
  readonly qrSvg: string;
  readonly secret: string;
  readonly error?: string;
  readonly formTargets: readonly string[];
}

export function totpEnrolPage(input: TotpEnrolInput): PageOptions {
  const grouped = input.secret.replace(/(.{4})/g, '$1 ').trim();
  return {
    title: 'Set up an authenticator app',
    tenantName: input.tenantName,
    formTargets: input.formTargets,
    body: html`<h1>Set up an authenticator app</h1>
${input.error ? html`<p class="alert" role="alert" id="form-error">${input.error}</p>` : ''}
<p>In your authenticator app, add an account and scan this code:</p>
<div class="qr" role="img" aria-label="QR code for your authenticator app">${constantMarkup(input.qrSvg)}</div>
<p>Cannot scan it? Enter this key instead: <code class="secret">${grouped}</code></p>
<form method="post" action="${input.issuer}/mfa/enrol/totp" novalidate>
<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">
<input type="hidden" name="factor_id" value="${input.factorId}">
${hiddenFields(input.hidden)}
<label for="code">Then type the 6-digit code the app shows</label>
<input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="12" required autofocus${input.error ? html` aria-describedby="form-error"` : ''}>
<label for="name">Name (optional)</label>
<input type="text" id="name" name="name" maxlength="100" placeholder="Phone">
<div class="actions"><button type="submit">Turn on</button></div>
</form>`,
  };
}

/** The recovery codes, shown once, right after the first factor was enrolled (or after regenerating them). */
export function recoveryCodesPage(input: { tenantName: string; codes: readonly string[]; continueUrl: string }): PageOptions {
  return {
    title: 'Your recovery codes',
    tenantName: input.tenantName,
    body: html`<h1>Save your recovery codes</h1>
<p class="notice" role="status">If you lose your phone or passkey, each of these codes signs you in once. They are shown only now: print them or keep them in a password manager.</p>
<ul class="codes">${input.codes.map((code) => html`<li>${code}</li>`)}</ul>
<p><a href="${input.continueUrl}">I have saved them, continue</a></p>`,
  };
}

/** After a recovery code was used: how many remain. */
export function recoveryUsedPage(input: { tenantName: string; left: number; continueUrl: string; accountUrl: string }): PageOptions {
  return {
    title: 'Recovery code accepted',
    tenantName: input.tenantName,
    body: html`<h1>Recovery code accepted</h1>
<p class="notice" role="status">You have ${String(input.left)} recovery code${input.left === 1 ? '' : 's'} left.${input.left <= 3 ? html` Make new ones on your <a href="${input.accountUrl}">security page</a>.` : ''}</p>
<p><a href="${input.continueUrl}">Continue</a></p>`,
  };
}

export { hiddenFields };
