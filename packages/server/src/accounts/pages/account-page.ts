/**
 * The account page: profile, email, password, sections other features add (second factors), sessions and
 * connected applications, in the order Keycloak's account console and GOV.UK's "manage your account" use.
 * Every form posts to its own path under `/account/` with the page's CSRF token.
 */
import { html } from '../../interaction/html.ts';
import type { SafeHtml } from '../../interaction/html.ts';
import type { PageOptions } from '../../interaction/layout.ts';
import { CSRF_FIELD } from '../../interaction/csrf.ts';
import type { Translator } from '../../i18n/translator.ts';
import { formError, say } from './common.ts';
import type { PageMessage } from './common.ts';

export interface SessionView {
  readonly id: string;
  readonly current: boolean;
  /** Undefined when the user agent tells nothing. */
  readonly device: string | undefined;
  readonly ip: string;
  readonly signedInAt: string;
  readonly lastActive: string;
}

export interface ApplicationView {
  readonly clientId: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly since: string;
}

export interface AccountPageInput {
  readonly tenantName: string;
  readonly base: string;
  readonly csrfToken: string;
  readonly user: { readonly email: string | null; readonly emailVerified: boolean; readonly firstName: string; readonly lastName: string; readonly displayName: string; readonly username: string };
  readonly sessions: readonly SessionView[];
  readonly applications: readonly ApplicationView[];
  readonly notice?: PageMessage;
  /** An error and the section it belongs to (shown next to that section's form). */
  readonly error?: { readonly section: string; readonly message: PageMessage };
}

function csrf(token: string): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`;
}

function sectionError(t: Translator, input: AccountPageInput, section: string): SafeHtml | string {
  return input.error?.section === section ? html`<p class="alert" role="alert" id="${section}-error">${say(t, input.error.message)}</p>` : '';
}

function errorFor(input: AccountPageInput, section: string): SafeHtml | string {
  return input.error?.section === section ? html` aria-describedby="${section}-error" aria-invalid="true"` : '';
}

function emailLine(t: Translator, user: AccountPageInput['user']): string {
  if (user.email === null) return t.text('page.account.no_email');
  return t.text(user.emailVerified ? 'page.account.email_confirmed' : 'page.account.email_unconfirmed', { email: user.email });
}

export function accountPage(input: AccountPageInput): PageOptions {
  const { user } = input;
  return {
    tenantName: input.tenantName,
    content: (t) => ({
      title: t.text('page.account.heading'),
      body: html`<h1>${t.text('page.account.heading')}</h1>
<p>${t.html('page.account.signed_in_as', { user: user.email ?? user.username })}</p>
${input.notice ? html`<p class="notice" role="status">${say(t, input.notice)}</p>` : ''}
<form method="post" action="${input.base}/sign-out">${csrf(input.csrfToken)}<button type="submit" class="secondary">${t.text('page.account.sign_out')}</button></form>

<h2 id="profile">${t.text('page.account.profile')}</h2>
${sectionError(t, input, 'profile')}
<form method="post" action="${input.base}/profile" novalidate>
${csrf(input.csrfToken)}
<label for="first_name">${t.text('page.self_service.field_first_name')}</label>
<input type="text" id="first_name" name="first_name" value="${user.firstName}" autocomplete="given-name" maxlength="200">
<label for="last_name">${t.text('page.self_service.field_last_name')}</label>
<input type="text" id="last_name" name="last_name" value="${user.lastName}" autocomplete="family-name" maxlength="200">
<label for="display_name">${t.text('page.account.field_display_name')}</label>
<input type="text" id="display_name" name="display_name" value="${user.displayName}" autocomplete="name" maxlength="200">
<label for="username">${t.text('page.account.field_username')}</label>
<input type="text" id="username" name="username" value="${user.username}" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="100"${errorFor(input, 'profile')}>
<div class="actions"><button type="submit">${t.text('page.account.save_profile')}</button></div>
</form>

<h2 id="email">${t.text('page.account.email')}</h2>
<p>${emailLine(t, user)}</p>
${sectionError(t, input, 'email')}
<form method="post" action="${input.base}/email" novalidate>
${csrf(input.csrfToken)}
<label for="new_email">${t.text('page.account.field_new_email')}</label>
<input type="email" id="new_email" name="new_email" autocomplete="email" autocapitalize="none" spellcheck="false" required aria-describedby="new_email-hint"${errorFor(input, 'email')}>
<p id="new_email-hint">${t.text('page.account.new_email_hint')}</p>
<label for="email_current_password">${t.text('page.account.field_current_password')}</label>
<input type="password" id="email_current_password" name="current_password" autocomplete="current-password" required>
<div class="actions"><button type="submit">${t.text('page.account.change_email')}</button></div>
</form>

<h2 id="password">${t.text('page.account.password')}</h2>
${sectionError(t, input, 'password')}
<form method="post" action="${input.base}/password" novalidate>
${csrf(input.csrfToken)}
<label for="current_password">${t.text('page.account.field_current_password')}</label>
<input type="password" id="current_password" name="current_password" autocomplete="current-password" required${errorFor(input, 'password')}>
<label for="new_password">${t.text('page.reset.field_password')}</label>
<input type="password" id="new_password" name="new_password" autocomplete="new-password" required aria-describedby="new_password-hint">
<p id="new_password-hint">${t.text('page.account.new_password_hint')}</p>
<div class="actions"><button type="submit">${t.text('page.account.change_password')}</button></div>
</form>

<h2 id="factors">${t.text('page.account.factors_heading')}</h2>
<p><a href="${input.base}/security">${t.text('page.account.security_link')}</a></p>
<p><a href="${input.base}/identities">${t.text('page.identities.title')}</a></p>
<h2 id="sessions">${t.text('page.account.sessions')}</h2>
${sectionError(t, input, 'sessions')}
<ul class="sessions">
${input.sessions.map((s) => {
  const device = s.device ?? t.text('page.account.unknown_device');
  return html`<li><strong>${device}</strong>${s.current ? html` ${t.text('page.account.this_browser')}` : ''}<br>${t.text('page.account.session_details', { ip: s.ip, signed_in: s.signedInAt, last_active: s.lastActive })}
${s.current ? '' : html`<form method="post" action="${input.base}/sessions/end">${csrf(input.csrfToken)}<input type="hidden" name="session" value="${s.id}"><button type="submit" class="secondary" aria-label="${t.text('page.account.end_session_label', { device, signed_in: s.signedInAt })}">${t.text('page.account.end_session')}</button></form>`}</li>`;
})}
</ul>
<form method="post" action="${input.base}/sessions/end-others">${csrf(input.csrfToken)}<button type="submit">${t.text('page.account.end_others')}</button></form>

<h2 id="applications">${t.text('page.account.applications')}</h2>
${sectionError(t, input, 'applications')}
${input.applications.length === 0 ? html`<p>${t.text('page.account.no_applications')}</p>` : ''}
<ul class="applications">
${input.applications.map(
  (a) => html`<li><strong>${a.name}</strong><br>${a.scopes.length > 0 ? t.text('page.account.allowed_since_scopes', { since: a.since, scopes: a.scopes.join(', ') }) : t.text('page.account.allowed_since', { since: a.since })}
<form method="post" action="${input.base}/applications/revoke">${csrf(input.csrfToken)}<input type="hidden" name="client_id" value="${a.clientId}"><button type="submit" class="secondary" aria-label="${t.text('page.account.revoke_label', { client: a.name })}">${t.text('page.account.revoke')}</button></form></li>`,
)}
</ul>`,
    }),
  };
}

export interface AccountSignInInput {
  readonly tenantName: string;
  readonly action: string;
  readonly csrfToken: string;
  readonly login?: string;
  readonly error?: PageMessage;
  readonly forgotPasswordUrl: string;
}

/** The account page's own sign-in, for a browser without a session of this tenant. */
export function accountSignInPage(input: AccountSignInInput): PageOptions {
  return {
    tenantName: input.tenantName,
    content: (t) => ({
      title: t.text('page.account.sign_in_title'),
      body: html`<h1>${t.text('page.account.sign_in_title')}</h1>
${formError(t, input.error)}
<form method="post" action="${input.action}" novalidate>
${csrf(input.csrfToken)}
<label for="login">${t.text('page.login.field_login')}</label>
<input type="text" id="login" name="login" value="${input.login ?? ''}" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus${input.error ? html` aria-describedby="form-error"` : ''}>
<label for="password">${t.text('page.login.field_password')}</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<div class="actions"><button type="submit">${t.text('page.login.submit')}</button></div>
</form>
<p><a href="${input.forgotPasswordUrl}">${t.text('page.login.forgot_password')}</a></p>`,
    }),
  };
}
