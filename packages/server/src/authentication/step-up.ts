/**
 * Step-up on an existing session: whether the browser session already reaches the level this authorization
 * needs (policy and `acr_values`), and if not, what the user must do: answer with a factor they have, or enrol
 * one first (policy `required`, or an admin under `required_for_admins`).
 */
import type { Latchkey } from '../context.ts';
import type { BrowserSession } from '../db/queries/sessions.ts';
import type { Tenant } from '../db/queries/tenants.ts';
import { userQueries } from '../db/queries/users.ts';
import type { UserRow } from '../db/queries/users.ts';
import type { UserFactorRow } from '../db/queries/user-factors.ts';
import type { AuthorizationRequest } from '../oauth/authorization-request.ts';
import { ACR_PHISHING_RESISTANT, acrSatisfies } from './amr.ts';
import type { Acr } from './amr.ts';
import { usableFactors } from './factors.ts';
import { enrolableFactors, requiredLevel } from './mfa-policy.ts';
import { sessionAcr } from './session-factors.ts';

export interface StepUp {
  readonly user: UserRow;
  readonly required: Acr;
  readonly factors: readonly UserFactorRow[];
  /** Factors the user can answer with now. */
  readonly answerable: readonly UserFactorRow[];
  /** Factors the user may enrol to reach the level (empty when enrolment cannot help). */
  readonly enrolable: readonly ('totp' | 'passkey')[];
}

/** What the session lacks for this request; undefined when it is strong enough. */
export async function missingAuthentication(ctx: Latchkey, tenant: Tenant, session: BrowserSession, authz: Pick<AuthorizationRequest, 'acrValues'>): Promise<StepUp | undefined> {
  const user = await userQueries(ctx.db).findById(session.user_id);
  if (user === undefined) return undefined;
  const factors = await usableFactors(ctx, user.id);
  const { acr } = requiredLevel(tenant, user, factors, authz.acrValues);
  if (acrSatisfies(sessionAcr(session), acr)) return undefined;
  const answerable = acr === ACR_PHISHING_RESISTANT ? factors.filter((f) => f.type === 'passkey') : factors;
  return { user, required: acr, factors, answerable, enrolable: enrolableFactors(tenant, acr) };
}

/**
 * Enrolling a new factor needs a session as strong as the user's current factors allow: with no factor yet a
 * password session may enrol (that is how enrolment during sign-in works); once a factor exists, a password
 * alone must not add another (a stolen password would otherwise let its thief enrol their own phone).
 */
export function mayEnrol(session: BrowserSession, factors: readonly UserFactorRow[]): boolean {
  return factors.length === 0 || sessionAcr(session) !== 'urn:latchkey:acr:password';
}
