import { html } from '../../interaction/html.ts';
import type { PageOptions } from '../../interaction/layout.ts';
import { CSRF_FIELD } from '../../interaction/csrf.ts';
import type { PageMessage } from '../../interaction/pages/login-page.ts';
import type { Translator } from '../../i18n/translator.ts';
import type { FactorSummary } from '../factors.ts';
import { passkeyForm, PASSKEY_SCRIPT } from './passkey-form.ts';
import type { PasskeyFormInput } from './passkey-form.ts';

export interface AccountSecurityInput {
  readonly tenantName: string;
  readonly issuer: string;
  readonly userName: string;
  readonly csrfToken: string;
  readonly factors: readonly FactorSummary[];
  readonly recoveryCodesLeft: number;
  readonly totpAllowed: boolean;
  readonly passkey?: Pick<PasskeyFormInput, 'challengeId' | 'options'>;
  readonly notice?: PageMessage;
}

function kindOf(t: Translator, factor: FactorSummary): string {
  if (factor.type === 'totp') return t.text('page.account.factor_totp');
  return factor.device_type === 'multiDevice' ? t.text('page.account.factor_passkey_synced') : t.text('page.account.factor_passkey');
}

function day(t: Translator, ms: number): string {
  return t.date(new Date(ms), { dateStyle: 'medium', timeZone: 'UTC' });
}

/** Signing-in methods on one page (Keycloak's account console is the model): list, add, remove, new codes. */
export function accountSecurityPage(input: AccountSecurityInput): PageOptions {
  const csrf = html`<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">`;
  return {
    tenantName: input.tenantName,
    ...(input.passkey ? { moduleScripts: [PASSKEY_SCRIPT] } : {}),
    content: (t) => ({
      title: t.text('page.account.title'),
      body: html`<h1>${t.text('page.account.title')}</h1>
<p>${t.html('page.account.signed_in_as', { user: input.userName })}</p>
${input.notice ? html`<p class="notice" role="status">${t.text(input.notice.key, input.notice.values)}</p>` : ''}
<h2>${t.text('page.account.factors_heading')}</h2>
${
  input.factors.length === 0
    ? html`<p>${t.text('page.account.none')}</p>`
    : html`<ul class="factors">${input.factors.map(
        (f) => html`<li>${t.html('page.account.factor_line', { name: f.name, kind: kindOf(t, f), added: day(t, f.created_at) })}${f.last_used_at ? html`, ${t.text('page.account.last_used', { date: day(t, f.last_used_at) })}` : ''}
<form method="post" action="${input.issuer}/account/security">${csrf}<input type="hidden" name="factor_id" value="${f.id}"><button type="submit" name="action" value="remove" class="secondary">${t.text('page.account.remove', { name: f.name })}</button></form></li>`,
      )}</ul>`
}
${input.passkey ? passkeyForm(t, { ...input.passkey, mode: 'register', label: t.text('page.passkey.add'), action: `${input.issuer}/mfa/enrol/passkey`, askName: true, hidden: {}, csrfToken: input.csrfToken }) : ''}
${input.totpAllowed ? html`<p><a href="${input.issuer}/mfa/enrol/totp">${t.text('page.account.add_app')}</a></p>` : ''}
<h2>${t.text('page.account.recovery_heading')}</h2>
<p>${t.text('page.account.recovery_left', { count: input.recoveryCodesLeft })}</p>
${input.factors.length > 0 ? html`<form method="post" action="${input.issuer}/account/security">${csrf}<button type="submit" name="action" value="recovery_codes" class="secondary">${t.text('page.account.recovery_new')}</button></form>` : ''}`,
    }),
  };
}
