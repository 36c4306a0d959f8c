/**
 * The account page: profile, email, password, sections other features add (second factors), sessions and
 * connected applications, in the order Keycloak's account console and GOV.UK's "manage your account" use.
 * Every form posts to its own path under `/account/` with the page's CSRF token.
 */
import { html } from '../../interaction/html.ts';
import type { SafeHtml } from '../../interaction/html.ts';
import type { PageOptions } from '../../interaction/layout.ts';
import { CSRF_FIELD } from '../../interaction/csrf.ts';

export interface SessionView {
  readonly id: string;
  readonly current: boolean;
  readonly device: string;
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
  readonly extraSections: readonly SafeHtml[];
  readonly notice?: string;
  /** An error and the section it belongs to (shown there, and summarized at the top). */
  readonly error?: { readonly section: string; readonly message: string };
}

function csrf(token: string): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`;
}

function sectionError(input: AccountPageInput, section: string): SafeHtml | string {
  return input.error?.section === section ? html`<p class="alert" role="alert" id="${section}-error">${input.error.message}</p>` : '';
}

function errorFor(input: AccountPageInput, section: string): SafeHtml | string {
  return input.error?.section === section ? html` aria-describedby="${section}-error" aria-invalid="true"` : '';
}

export function accountPage(input: AccountPageInput): PageOptions {
  const { user } = input;
  return {
    title: 'Your account',
    tenantName: input.tenantName,
    body: html`<h1>Your account</h1>
<p>Signed in as <strong>${user.email ?? user.username}</strong>.</p>
${input.notice ? html`<p class="notice" role="status">${input.notice}</p>` : ''}
<form method="post" action="${input.base}/sign-out">${csrf(input.csrfToken)}<button type="submit" class="secondary">Sign out</button></form>

<h2 id="profile">Profile</h2>
${sectionError(input, 'profile')}
<form method="post" action="${input.base}/profile" novalidate>
${csrf(input.csrfToken)}
<label for="first_name">First name</label>
<input type="text" id="first_name" name="first_name" value="${user.firstName}" autocomplete="given-name" maxlength="200">
<label for="last_name">Last name</label>
<input type="text" id="last_name" name="last_name" value="${user.lastName}" autocomplete="family-name" maxlength="200">
<label for="display_name">Display name</label>
<input type="text" id="display_name" name="display_name" value="${user.displayName}" autocomplete="name" maxlength="200">
<label for="username">Username</label>
<input type="text" id="username" name="username" value="${user.username}" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="100"${errorFor(input, 'profile')}>
<div class="actions"><button type="submit">Save profile</button></div>
</form>

<h2 id="email">Email address</h2>
<p>${user.email ?? 'No email address.'} ${user.email ? (user.emailVerified ? '(confirmed)' : '(not confirmed yet)') : ''}</p>
${sectionError(input, 'email')}
<form method="post" action="${input.base}/email" novalidate>
${csrf(input.csrfToken)}
<label for="new_email">New email address</label>
<input type="email" id="new_email" name="new_email" autocomplete="email" autocapitalize="none" spellcheck="false" required aria-describedby="new_email-hint"${errorFor(input, 'email')}>
<p id="new_email-hint">We mail a link to the new address; it takes effect when you open it.</p>
<label for="email_current_password">Current password</label>
<input type="password" id="email_current_password" name="current_password" autocomplete="current-password" required>
<div class="actions"><button type="submit">Change email address</button></div>
</form>

<h2 id="password">Password</h2>
${sectionError(input, 'password')}
<form method="post" action="${input.base}/password" novalidate>
${csrf(input.csrfToken)}
<label for="current_password">Current password</label>
<input type="password" id="current_password" name="current_password" autocomplete="current-password" required${errorFor(input, 'password')}>
<label for="new_password">New password</label>
<input type="password" id="new_password" name="new_password" autocomplete="new-password" required aria-describedby="new_password-hint">
<p id="new_password-hint">Every other device signed in to your account will be signed out.</p>
<div class="actions"><button type="submit">Change password</button></div>
</form>
${input.extraSections}
<h2 id="sessions">Where you are signed in</h2>
${sectionError(input, 'sessions')}
<ul class="sessions">
${input.sessions.map(
  (s) => html`<li><strong>${s.device}</strong>${s.current ? ' (this browser)' : ''}<br>IP ${s.ip} · signed in ${s.signedInAt} · last active ${s.lastActive}
${s.current ? '' : html`<form method="post" action="${input.base}/sessions/end">${csrf(input.csrfToken)}<input type="hidden" name="session" value="${s.id}"><button type="submit" class="secondary" aria-label="Sign out ${s.device}, signed in ${s.signedInAt}">Sign out</button></form>`}</li>`,
)}
</ul>
<form method="post" action="${input.base}/sessions/end-others">${csrf(input.csrfToken)}<button type="submit">Sign out everywhere else</button></form>

<h2 id="applications">Connected applications</h2>
${input.applications.length === 0 ? html`<p>You have not allowed any application to use your account.</p>` : ''}
<ul class="applications">
${input.applications.map(
  (a) => html`<li><strong>${a.name}</strong><br>Allowed since ${a.since}${a.scopes.length > 0 ? html`: ${a.scopes.join(', ')}` : ''}
<form method="post" action="${input.base}/applications/revoke">${csrf(input.csrfToken)}<input type="hidden" name="client_id" value="${a.clientId}"><button type="submit" class="secondary" aria-label="Revoke access of ${a.name}">Revoke access</button></form></li>`,
)}
</ul>`,
  };
}

export interface AccountSignInInput {
  readonly tenantName: string;
  readonly action: string;
  readonly csrfToken: string;
  readonly login?: string;
  readonly error?: string;
  readonly forgotPasswordUrl: string;
}

/** The account page's own sign-in, for a browser without a session of this tenant. */
export function accountSignInPage(input: AccountSignInInput): PageOptions {
  return {
    title: 'Sign in to your account',
    tenantName: input.tenantName,
    body: html`<h1>Sign in to your account</h1>
${input.error ? html`<p class="alert" role="alert" id="form-error">${input.error}</p>` : ''}
<form method="post" action="${input.action}" novalidate>
${csrf(input.csrfToken)}
<label for="login">Email or username</label>
<input type="text" id="login" name="login" value="${input.login ?? ''}" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus${input.error ? html` aria-describedby="form-error"` : ''}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<div class="actions"><button type="submit">Sign in</button></div>
</form>
<p><a href="${input.forgotPasswordUrl}">Forgot your password?</a></p>`,
  };
}
