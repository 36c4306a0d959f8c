import { html } from '../html.ts';
import type { PageOptions } from '../layout.ts';
import { CSRF_FIELD } from '../csrf.ts';

const SCOPE_WORDS: Record<string, string> = {
  openid: 'Know who you are (your account identifier)',
  profile: 'See your name and username',
  email: 'See your email address',
  offline_access: 'Keep access when you are not using it (stay signed in)',
};

/** A scope in plain words; scopes Latchkey does not know are named as they are. */
export function describeScope(scope: string): string {
  return SCOPE_WORDS[scope] ?? `Use the permission “${scope}”`;
}

export interface ConsentPageInput {
  readonly tenantName: string;
  readonly clientName: string;
  readonly userName: string;
  readonly scopes: readonly string[];
  readonly action: string;
  readonly interactionId: string;
  readonly csrfToken: string;
  readonly formTargets: readonly string[];
}

export function consentPage(input: ConsentPageInput): PageOptions {
  return {
    title: 'Authorize access',
    tenantName: input.tenantName,
    formTargets: input.formTargets,
    body: html`<h1>Authorize ${input.clientName}</h1>
<p>You are signed in as <strong>${input.userName}</strong>. <strong>${input.clientName}</strong> asks to:</p>
${
  input.scopes.length > 0
    ? html`<ul class="scopes">${input.scopes.map((scope) => html`<li>${describeScope(scope)}</li>`)}</ul>`
    : html`<p>Sign you in (no other access).</p>`
}
<form method="post" action="${input.action}">
<input type="hidden" name="interaction" value="${input.interactionId}">
<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}">
<div class="actions">
<button type="submit" name="decision" value="allow" autofocus>Authorize</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</div>
</form>`,
  };
}
