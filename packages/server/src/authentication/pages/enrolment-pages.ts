import { constantMarkup, html } from '../../interaction/html.ts';
import type { PageOptions } from '../../interaction/layout.ts';
import { CSRF_FIELD } from '../../interaction/csrf.ts';
import type { PageMessage } from '../../interaction/pages/login-page.ts';
import { passkeyForm, PASSKEY_SCRIPT } from './passkey-form.ts';
import type { PasskeyFormInput } from './passkey-form.ts';
import { hiddenFields } from './second-factor-page.ts';

export interface EnrolChoiceInput {
  readonly tenantName: string;
  readonly issuer: string;
  /** `?interaction=…` for a sign-in. */
  readonly query: string;
  readonly totp: boolean;
  readonly passkey?: Pick<PasskeyFormInput, 'challengeId' | 'options' | 'csrfToken' | 'hidden'>;
  readonly formTargets: readonly string[];
  readonly uiLocales?: string | undefined;
}

/** Enrolment during sign-in: the tenant requires a second factor and the user has none yet. */
export function enrolChoicePage(input: EnrolChoiceInput): PageOptions {
  return {
    tenantName: input.tenantName,
    formTargets: input.formTargets,
    uiLocales: input.uiLocales,
    ...(input.passkey ? { moduleScripts: [PASSKEY_SCRIPT] } : {}),
    content: (t) => ({
      title: t.text('page.mfa.enrol_title'),
      body: html`<h1>${t.text('page.mfa.enrol_title')}</h1>
<p>${t.text('page.mfa.enrol_intro', { tenant: input.tenantName })}</p>
${input.passkey ? html`<h2>${t.text('page.mfa.enrol_passkey_heading')}</h2><p>${t.text('page.mfa.enrol_passkey_text')}</p>${passkeyForm(t, { ...input.passkey, mode: 'register', label: t.text('page.passkey.create'), action: `${input.issuer}/mfa/enrol/passkey`, askName: true })}` : ''}
${input.totp ? html`<h2>${t.text('page.mfa.enrol_app_heading')}</h2><p>${t.text('page.mfa.enrol_app_text')}</p><p><a href="${input.issuer}/mfa/enrol/totp${input.query}">${t.text('page.mfa.enrol_app_link')}</a></p>` : ''}`,
    }),
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
  readonly error?: PageMessage;
  readonly formTargets: readonly string[];
  readonly uiLocales?: string | undefined;
}

export function totpEnrolPage(input: TotpEnrolInput): PageOptions {
  const grouped = input.secret.replace(/(.{4})/g, '$1 ').trim();
  return {
    tenantName: input.tenantName,
    formTargets: input.formTargets,
    uiLocales: input.uiLocales,
    content: (t) => ({
      title: t.text('page.totp.title'),
      body: html`<h1>${t.text('page.totp.title')}</h1>
${input.error ? html`<p class="alert" role="alert" id="form-error">${t.text(input.error.key, input.error.values)}</p>` : ''}
<p>${t.text('page.totp.scan')}</p>
<div class="qr" role="img" aria-label="${t.text('page.totp.qr_label')}">${constantMarkup(input.qrSvg)}</div>
<p>${t.text('page.totp.key')} <code class="secret">${grouped}</code></p>
<form method="post" action="${input.issuer}/mfa/enrol/totp" novalidate>
<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">
<input type="hidden" name="factor_id" value="${input.factorId}">
${hiddenFields(input.hidden)}
<label for="code">${t.text('page.totp.code_label')}</label>
<input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="12" required autofocus${input.error ? html` aria-describedby="form-error"` : ''}>
<label for="name">${t.text('page.totp.name_label')}</label>
<input type="text" id="name" name="name" maxlength="100" placeholder="${t.text('page.totp.name_placeholder')}">
<div class="actions"><button type="submit">${t.text('page.totp.submit')}</button></div>
</form>`,
    }),
  };
}

/** The recovery codes, shown once, right after the first factor was enrolled (or after regenerating them). */
export function recoveryCodesPage(input: { tenantName: string; codes: readonly string[]; continueUrl: string; uiLocales?: string | undefined }): PageOptions {
  return {
    tenantName: input.tenantName,
    uiLocales: input.uiLocales,
    content: (t) => ({
      title: t.text('page.recovery.title'),
      body: html`<h1>${t.text('page.recovery.title')}</h1>
<p class="notice" role="status">${t.text('page.recovery.text')}</p>
<ul class="codes">${input.codes.map((code) => html`<li>${code}</li>`)}</ul>
<p><a href="${input.continueUrl}">${t.text('page.recovery.continue')}</a></p>`,
    }),
  };
}

/** After a recovery code was used: how many remain. */
export function recoveryUsedPage(input: { tenantName: string; left: number; continueUrl: string; accountUrl: string; uiLocales?: string | undefined }): PageOptions {
  return {
    tenantName: input.tenantName,
    uiLocales: input.uiLocales,
    content: (t) => ({
      title: t.text('page.recovery_used.title'),
      body: html`<h1>${t.text('page.recovery_used.title')}</h1>
<p class="notice" role="status">${t.text('page.recovery_used.left', { count: input.left })}</p>
${input.left <= 3 ? html`<p><a href="${input.accountUrl}">${t.text('page.recovery_used.make_new')}</a></p>` : ''}
<p><a href="${input.continueUrl}">${t.text('page.recovery_used.continue')}</a></p>`,
    }),
  };
}
