import { html } from '../../interaction/html.ts';
import type { SafeHtml } from '../../interaction/html.ts';
import { CSRF_FIELD } from '../../interaction/csrf.ts';
import type { Translator } from '../../i18n/translator.ts';

/** The module that runs WebAuthn ceremonies in the page (served by Latchkey; see webauthn-assets.ts). */
export const PASSKEY_SCRIPT = '/assets/webauthn/passkeys.js';

export interface PasskeyFormInput {
  readonly action: string;
  /** `register` creates a passkey; `authenticate` signs in or confirms; `autofill` also offers it in the login field. */
  readonly mode: 'register' | 'authenticate' | 'autofill';
  readonly challengeId: string;
  readonly options: unknown;
  readonly csrfToken: string;
  readonly hidden: Readonly<Record<string, string>>;
  readonly label: string;
  /** Registration: ask for a name for the passkey. */
  readonly askName?: boolean;
}

/**
 * A form that only works with JavaScript (WebAuthn has no other way): hidden until the module shows it, with
 * the ceremony's options and the page's words for its errors in data attributes (no inline script), and the
 * response posted as a normal form field.
 */
export function passkeyForm(t: Translator, input: PasskeyFormInput): SafeHtml {
  return html`<form method="post" action="${input.action}" data-webauthn="${input.mode}" data-options="${JSON.stringify(input.options)}" data-msg-cancelled="${t.text('page.passkey.cancelled')}" data-msg-failed="${t.text('page.passkey.failed')}" hidden>
<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">
<input type="hidden" name="challenge_id" value="${input.challengeId}">
<input type="hidden" name="response" value="">
${Object.entries(input.hidden).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
${input.askName ? html`<label for="passkey-name">${t.text('page.passkey.name_label')}</label><input type="text" id="passkey-name" name="name" maxlength="100" placeholder="${t.text('page.passkey.name_placeholder')}">` : ''}
<p class="alert" role="alert" data-webauthn-error hidden></p>
<div class="actions"><button type="button" data-webauthn-start>${input.label}</button></div>
</form>
<noscript><p>${t.text('page.passkey.needs_script')}</p></noscript>`;
}
