/**
 * Why an upstream sign-in was refused. An `OAuthError` (the one hierarchy) with a stable `reason` that the
 * audit event records and the tenant's error page shows with the request's correlation id. Raised before any
 * account is created or changed, or inside the transaction that would have changed it (which then rolls back).
 */
import { OAuthError } from '../errors/oauth-error.ts';
import type { OAuthErrorOptions } from '../errors/oauth-error.ts';

export type RefusalReason =
  | 'connection_unavailable'
  | 'state_mismatch'
  | 'upstream_error'
  | 'invalid_response'
  | 'tenant_not_allowed'
  | 'account_inactive'
  | 'no_account'
  | 'account_conflict'
  | 'link_conflict'
  | 'no_subject'
  | 'assertion_replayed';

export class FederationRefused extends OAuthError {
  override name = 'FederationRefused';
  readonly reason: RefusalReason;
  constructor(reason: RefusalReason, description: string, options?: OAuthErrorOptions) {
    super('access_denied', 400, description, options);
    this.reason = reason;
  }
}
