/**
 * Guards decide whether an authenticated principal may use a resource. A failing guard throws
 * `InsufficientScope` (403); authentication failures (401) happen before any guard runs.
 */
import { InsufficientScope } from './errors.ts';
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
