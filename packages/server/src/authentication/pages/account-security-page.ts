import { html } from '../../interaction/html.ts';
import type { PageOptions } from '../../interaction/layout.ts';
import { CSRF_FIELD } from '../../interaction/csrf.ts';
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
  readonly passkey?: Omit<PasskeyFormInput, 'mode' | 'label' | 'action' | 'askName' | 'hidden' | 'csrfToken'>;
  readonly notice?: string;
}

const TYPE_WORDS: Record<string, string> = { totp: 'Authenticator app', passkey: 'Passkey' };

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Signing-in methods on one page (Keycloak's account console is the model): list, add, remove, new codes. */
export function accountSecurityPage(input: AccountSecurityInput): PageOptions {
  const csrf = html`<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">`;
  return {
    title: 'Signing in',
    tenantName: input.tenantName,
    ...(input.passkey ? { moduleScripts: [PASSKEY_SCRIPT] } : {}),
    body: html`<h1>Signing in</h1>
<p>Signed in as <strong>${input.userName}</strong>.</p>
${input.notice ? html`<p class="notice" role="status">${input.notice}</p>` : ''}
<h2>Your second factors</h2>
${
  input.factors.length === 0
    ? html`<p>None yet. Add one so a stolen password is not enough to get into your account.</p>`
    : html`<ul class="factors">${input.factors.map(
        (f) => html`<li><strong>${f.name}</strong> (${TYPE_WORDS[f.type] ?? f.type}${f.type === 'passkey' && f.device_type === 'multiDevice' ? ', synced' : ''}), added ${day(f.created_at)}${f.last_used_at ? html`, last used ${day(f.last_used_at)}` : ''}
<form method="post" action="${input.issuer}/account/security">${csrf}<input type="hidden" name="factor_id" value="${f.id}"><button type="submit" name="action" value="remove" class="secondary">Remove ${f.name}</button></form></li>`,
      )}</ul>`
}
${input.passkey ? html`${passkeyForm({ ...input.passkey, mode: 'register', label: 'Add a passkey', action: `${input.issuer}/mfa/enrol/passkey`, askName: true, hidden: {}, csrfToken: input.csrfToken })}<noscript><p>Adding a passkey needs JavaScript.</p></noscript>` : ''}
${input.totpAllowed ? html`<p><a href="${input.issuer}/mfa/enrol/totp">Add an authenticator app</a></p>` : ''}
<h2>Recovery codes</h2>
<p>${String(input.recoveryCodesLeft)} unused recovery code${input.recoveryCodesLeft === 1 ? '' : 's'}.</p>
${input.factors.length > 0 ? html`<form method="post" action="${input.issuer}/account/security">${csrf}<button type="submit" name="action" value="recovery_codes" class="secondary">Make new recovery codes</button></form>` : ''}`,
  };
}
