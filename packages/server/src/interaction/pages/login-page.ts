import { html } from '../html.ts';
import type { PageOptions } from '../layout.ts';
import { CSRF_FIELD } from '../csrf.ts';
import { passkeyForm, PASSKEY_SCRIPT } from '../../authentication/pages/passkey-form.ts';
import type { MessageValues, Translator } from '../../i18n/translator.ts';

export type LoginField = 'login' | 'password';

/** A message of the catalog with its values, translated when the page renders. */
export interface PageMessage {
  readonly key: string;
  readonly values?: MessageValues;
}

export interface LoginPageInput {
  readonly tenantName: string;
  readonly clientName: string;
  readonly action: string;
  readonly interactionId: string;
  readonly csrfToken: string;
  readonly login?: string;
  /** Shown above the form (wrong password, locked out), announced to screen readers. */
  readonly error?: PageMessage;
  /** Shown next to the field they concern, and listed in an error summary linking to it. */
  readonly fieldErrors?: Partial<Readonly<Record<LoginField, PageMessage>>>;
  readonly formTargets: readonly string[];
  /** Offered when passkeys are on: a discoverable-credential ceremony (button, and autofill in the login field). */
  readonly passkey?: { readonly action: string; readonly challengeId: string; readonly options: unknown };
  readonly uiLocales?: string | undefined;
  /** The client's registered `logo_uri`, `policy_uri` and `tos_uri` (https, validated at registration). */
  readonly clientLogoUri?: string | null;
  readonly clientPolicyUri?: string | null;
  readonly clientTosUri?: string | null;
  /** Self-service links (issue 16): the forgot-password page, and the sign-up page when the tenant has one. */
  readonly forgotPasswordUrl?: string;
  readonly signUpUrl?: string;
  /** One button per enabled connection of the tenant (federation). */
  readonly connections?: ReadonlyArray<{ readonly slug: string; readonly name: string; readonly action: string }>;
  /** The connection waiting to be linked once the user signs in with a password here. */
  readonly linking?: string;
}

/** A form per connection (CSRF-checked POST, so a link cannot start an upstream sign-in for someone). */
function connectionButtons(t: Translator, input: LoginPageInput) {
  if (!input.connections || input.connections.length === 0 || input.linking) return '';
  return html`<h2 class="or">${t.text('page.login.federation_heading')}</h2>
${input.connections.map((c) => html`<form method="post" action="${c.action}" class="connection">
<input type="hidden" name="interaction" value="${input.interactionId}">
<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">
<button type="submit" class="secondary" data-connection="${c.slug}">${t.text('page.login.federation_button', { connection: c.name })}</button>
</form>`)}`;
}

function clientLinks(t: Translator, input: LoginPageInput) {
  if (!input.clientPolicyUri && !input.clientTosUri) return '';
  return html`<p class="links">${input.clientPolicyUri ? html`<a href="${input.clientPolicyUri}">${t.text('page.login.client_policy', { client: input.clientName })}</a>` : ''}${
    input.clientTosUri ? html`<a href="${input.clientTosUri}">${t.text('page.login.client_terms', { client: input.clientName })}</a>` : ''
  }</p>`;
}

function errorSummary(t: Translator, errors: Partial<Record<LoginField, PageMessage>>) {
  const entries = Object.entries(errors) as Array<[LoginField, PageMessage]>;
  if (entries.length === 0) return '';
  return html`<div class="alert" role="alert" aria-labelledby="error-summary-title" id="error-summary">
<h2 id="error-summary-title">${t.text('page.error_summary')}</h2>
<ul>${entries.map(([field, message]) => html`<li><a href="#${field}">${t.text(message.key, message.values)}</a></li>`)}</ul>
</div>`;
}

function fieldError(t: Translator, field: LoginField, message: PageMessage | undefined) {
  return message === undefined ? '' : html`<p class="field-error" id="${field}-error">${t.text(message.key, message.values)}</p>`;
}

/** `aria-describedby`/`aria-invalid` of a field: its own error and the form's. */
function describedBy(field: LoginField, input: LoginPageInput) {
  const ids = [input.fieldErrors?.[field] ? `${field}-error` : undefined, input.error ? 'form-error' : undefined].filter(Boolean).join(' ');
  return html`${ids ? html` aria-describedby="${ids}"` : ''}${input.fieldErrors?.[field] ? html` aria-invalid="true"` : ''}`;
}

/** The sign-in form: email or username and password, prefilled by `login_hint`, working without JavaScript. */
export function loginPage(input: LoginPageInput): PageOptions {
  const fieldErrors = input.fieldErrors ?? {};
  // Focus where the user has to act: the first field in error, else the first empty field.
  const focus: LoginField = fieldErrors.login ? 'login' : fieldErrors.password ? 'password' : input.login ? 'password' : 'login';
  return {
    tenantName: input.tenantName,
    formTargets: input.formTargets,
    uiLocales: input.uiLocales,
    ...(input.passkey ? { moduleScripts: [PASSKEY_SCRIPT] } : {}),
    imageOrigins: input.clientLogoUri ? [new URL(input.clientLogoUri).origin] : [],
    content: (t) => ({
      title: t.text('page.login.title'),
      body: html`<h1>${t.text('page.login.title')}</h1>
${input.clientLogoUri ? html`<img class="client-logo" src="${input.clientLogoUri}" alt="">` : ''}
<p>${t.html('page.login.intro', { client: input.clientName })}</p>
${errorSummary(t, fieldErrors)}
${input.error ? html`<p class="alert" role="alert" id="form-error">${t.text(input.error.key, input.error.values)}</p>` : ''}
${input.linking ? html`<p class="notice" role="status">${t.text('page.login.federation_linking', { connection: input.linking })}</p>` : ''}
<form method="post" action="${input.action}" novalidate>
<input type="hidden" name="interaction" value="${input.interactionId}">
<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">
<label for="login">${t.text('page.login.field_login')}</label>
${fieldError(t, 'login', fieldErrors.login)}
<input type="text" id="login" name="login" value="${input.login ?? ''}" autocomplete="${input.passkey ? 'username webauthn' : 'username'}" autocapitalize="none" spellcheck="false" required${focus === 'login' ? html` autofocus` : ''}${describedBy('login', input)}>
<label for="password">${t.text('page.login.field_password')}</label>
${fieldError(t, 'password', fieldErrors.password)}
<input type="password" id="password" name="password" autocomplete="current-password" required${focus === 'password' ? html` autofocus` : ''}${describedBy('password', input)}>
<div class="actions">
<button type="submit" name="action" value="sign_in">${t.text('page.login.submit')}</button>
<button type="submit" name="action" value="cancel" class="secondary" formnovalidate>${t.text('page.login.cancel')}</button>
</div>
</form>
${input.forgotPasswordUrl ? html`<p><a href="${input.forgotPasswordUrl}">${t.text('page.login.forgot_password')}</a></p>` : ''}
${input.signUpUrl ? html`<p>${t.text('page.login.sign_up_prompt')} <a href="${input.signUpUrl}">${t.text('page.login.sign_up_link')}</a></p>` : ''}
${input.passkey ? html`<hr>${passkeyForm(t, { ...input.passkey, mode: 'autofill', label: t.text('page.passkey.sign_in'), csrfToken: input.csrfToken, hidden: { interaction: input.interactionId } })}` : ''}
${connectionButtons(t, input)}
${clientLinks(t, input)}`,
    }),
  };
}
