/**
 * Guards decide whether an authenticated principal may use a resource. A failing guard throws
 * `InsufficientScope` (403); authentication failures (401) happen before any guard runs.
 */
import { InsufficientScope, InsufficientUserAuthentication } from './errors.ts';
import type { Principal } from './principal.ts';

export type Guard = (principal: Principal) => void;

/**
 * Requires every listed scope.
 * @example app.get('/v1/mailboxes', { preHandler: fastifyGuard(verifier, requireScope('mail:read')) }, handler);
 */
export function requireScope(...scopes: string[]): Guard {
  return (principal) => {
    const missing = scopes.filter((scope) => !principal.scopes.includes(scope));
    if (missing.length > 0) throw new InsufficientScope(`the token lacks scope ${missing.join(' ')}`, scopes.join(' '));
  };
}

/**
 * Requires membership of at least one of the listed groups.
 * @example protect(verifier, requireGroup('mail-users', 'admins'))
 */
export function requireGroup(...groups: string[]): Guard {
  return (principal) => {
    if (!groups.some((group) => principal.groups.includes(group))) throw new InsufficientScope(`the principal is in none of the groups ${groups.join(', ')}`);
  };
}

/**
 * Requires every listed permission (seed 003: the union of the principal's roles, or an API key's grant).
 * @example protect(verifier, requirePermission('mail.send'))
 */
export function requirePermission(...permissions: string[]): Guard {
  return (principal) => {
    const missing = permissions.filter((permission) => !principal.permissions.includes(permission));
    if (missing.length > 0) throw new InsufficientScope(`the principal lacks permission ${missing.join(', ')}`);
  };
}

/** Latchkey's levels, weakest first: a stronger level meets a request for a weaker one. */
const LATCHKEY_ACR_ORDER = ['urn:latchkey:acr:password', 'urn:latchkey:acr:mfa', 'phr'];

function meetsAcr(acr: unknown, acceptable: readonly string[]): boolean {
  if (typeof acr !== 'string') return false;
  if (acceptable.includes(acr)) return true;
  const rank = LATCHKEY_ACR_ORDER.indexOf(acr);
  return rank !== -1 && acceptable.some((value) => LATCHKEY_ACR_ORDER.indexOf(value) !== -1 && LATCHKEY_ACR_ORDER.indexOf(value) <= rank);
}

/**
 * Requires that the user signed in at one of the listed authentication levels (`acr`, OpenID Connect Core §2;
 * Latchkey's `urn:latchkey:acr:mfa` and `phr` are met by any stronger Latchkey level). Otherwise answers the
 * RFC 9470 step-up challenge: 401 `insufficient_user_authentication` with `acr_values`, and with `max_age`
 * when `options.maxAge` (seconds since sign-in) is given and exceeded. API keys never meet it.
 * @example app.post('/v1/payouts', { preHandler: fastifyGuard(verifier, requireAcr('urn:latchkey:acr:mfa')) }, handler);
 */
export function requireAcr(acrValues: string | readonly string[], options: { maxAge?: number } = {}): Guard {
  const acceptable = typeof acrValues === 'string' ? [acrValues] : [...acrValues];
  return (principal) => {
    if (!meetsAcr(principal.claims.acr, acceptable)) throw new InsufficientUserAuthentication(`this resource needs a sign-in at ${acceptable.join(' or ')}`, acceptable, options.maxAge);
    if (options.maxAge !== undefined) {
      const authTime = principal.claims.auth_time;
      if (typeof authTime !== 'number' || Date.now() / 1000 - authTime > options.maxAge) {
        throw new InsufficientUserAuthentication(`this resource needs a sign-in within the last ${options.maxAge} seconds`, acceptable, options.maxAge);
      }
    }
  };
}

/**
 * Requires every listed authentication method (`amr`, RFC 8176: `pwd`, `otp`, `hwk`, `swk`, `user`, `mfa`);
 * otherwise the RFC 9470 challenge, with `acr_values` when given (what to ask the IdP for).
 * @example protect(verifier, requireAmr(['mfa'], { acrValues: ['urn:latchkey:acr:mfa'] }))
 */
export function requireAmr(methods: readonly string[], options: { acrValues?: readonly string[] } = {}): Guard {
  return (principal) => {
    const amr = Array.isArray(principal.claims.amr) ? principal.claims.amr : [];
    const missing = methods.filter((method) => !amr.includes(method));
    if (missing.length > 0) throw new InsufficientUserAuthentication(`this resource needs the sign-in method ${missing.join(', ')}`, options.acrValues ?? []);
  };
}

/**
 * Passes when any one of the guards passes; otherwise throws the first guard's refusal.
 * @example protect(verifier, anyOf(requireScope('mail:read'), requireGroup('mail-users')))
 */
export function anyOf(...guards: Guard[]): Guard {
  return (principal) => {
    let first: unknown;
    for (const guard of guards) {
      try {
        guard(principal);
        return;
      } catch (error) {
        first ??= error;
      }
    }
    if (first !== undefined) throw first;
  };
}
