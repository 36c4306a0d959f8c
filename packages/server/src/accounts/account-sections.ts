/**
 * Sections other parts of Latchkey add to the account page, between the password and the sessions: the MFA
 * work (issue 15) adds second factors and passkeys here. A section renders from the signed-in user and the
 * page's CSRF token, and handles its own forms under `/t/<tenant>/account/<its path>`.
 */
import type { Latchkey } from '../context.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import type { User } from '../directory/users.ts';
import type { SafeHtml } from '../interaction/html.ts';

export interface AccountSectionInput {
  readonly ctx: Latchkey;
  readonly tenant: Tenant;
  readonly user: User;
  /** The token every form on the account page carries (`csrf_token`), bound to the browser session. */
  readonly csrfToken: string;
}

export interface AccountSection {
  /** The section's heading id (`factors`), unique on the page. */
  readonly id: string;
  render(input: AccountSectionInput): Promise<SafeHtml>;
}

const sections: AccountSection[] = [];

export function addAccountSection(section: AccountSection): void {
  if (!sections.some((s) => s.id === section.id)) sections.push(section);
}

export function accountSections(): readonly AccountSection[] {
  return sections;
}
