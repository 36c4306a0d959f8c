/**
 * The level a sign-in must reach, from the tenant's policy (`mfa.policy`, `mfa.required_for_admins`), the user's
 * enrolled factors and what the client asked for (`acr_values`, or an essential `acr` claim: OpenID Connect
 * Core §3.1.2.1 and §5.5.1.1). The weakest of the client's acceptable values is taken: any of them satisfies it.
 */
import type { Tenant } from '../db/queries/tenants.ts';
import type { UserRow } from '../db/queries/users.ts';
import type { UserFactorRow } from '../db/queries/user-factors.ts';
import { ACR_MFA, ACR_PASSWORD, ACR_PHISHING_RESISTANT, acrSatisfies, isAcr, strongestAcr } from './amr.ts';
import type { Acr } from './amr.ts';

export interface RequiredLevel {
  readonly acr: Acr;
  /** The policy (not only the client) demands a second factor of this user. */
  readonly byPolicy: boolean;
}

export function policyRequiresSecondFactor(tenant: Tenant, user: UserRow, factors: readonly UserFactorRow[]): boolean {
  const { mfa } = tenant.settings;
  if (mfa.required_for_admins && user.admin_role !== null) return true;
  if (mfa.policy === 'required') return true;
  return mfa.policy === 'optional' && factors.length > 0;
}

/** The weakest of the requested values this server knows; undefined when none was asked (or none is known). */
export function requestedAcr(acrValues: readonly string[] | undefined): Acr | undefined {
  const known = (acrValues ?? []).filter(isAcr);
  if (known.length === 0) return undefined;
  return known.reduce((weakest, v) => (acrSatisfies(weakest, v) ? v : weakest));
}

export function requiredLevel(tenant: Tenant, user: UserRow, factors: readonly UserFactorRow[], acrValues: readonly string[] | undefined): RequiredLevel {
  const byPolicy = policyRequiresSecondFactor(tenant, user, factors);
  const levels: Acr[] = [byPolicy ? ACR_MFA : ACR_PASSWORD];
  const requested = requestedAcr(acrValues);
  if (requested !== undefined) levels.push(requested);
  return { acr: strongestAcr(levels), byPolicy };
}

/** Which factors the user may enrol now: the tenant's allowed ones; a passkey is the only way to `phr`. */
export function enrolableFactors(tenant: Tenant, required: Acr): ('totp' | 'passkey')[] {
  const allowed = [...tenant.settings.mfa.allowed_factors];
  return required === ACR_PHISHING_RESISTANT ? allowed.filter((f) => f === 'passkey') : allowed;
}
