/**
 * The kit's one error hierarchy: RFC 6750 §3.1 bearer errors. Each carries the HTTP status, the `error` code
 * (absent when the request simply had no credentials, RFC 6750 §3.1) and a description safe to show.
 */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'insufficient_user_authentication';

export class AuthError extends Error {
  override name = 'AuthError';
  readonly status: number;
  /** Undefined for a request that carried no credentials at all. */
  readonly code: BearerErrorCode | undefined;
  /** For `insufficient_scope`: the scope the resource needs (RFC 6750 §3). */
  readonly scope: string | undefined;

  constructor(status: number, code: BearerErrorCode | undefined, description: string, scope?: string) {
    super(description);
    this.status = status;
    this.code = code;
    this.scope = scope;
  }
}

/**
 * No `Authorization: Bearer` credential on the request: 401 without an error code.
 * @example throw new MissingCredentials();
 */
export class MissingCredentials extends AuthError {
  constructor(description = 'this resource needs a bearer token') {
    super(401, undefined, description);
  }
}

/**
 * A malformed, expired, not-yet-valid, badly signed, revoked or foreign credential: 401 `invalid_token`.
 * @example throw new InvalidToken('the token has expired');
 */
export class InvalidToken extends AuthError {
  constructor(description = 'the access token is invalid') {
    super(401, 'invalid_token', description);
  }
}

/**
 * A valid credential that lacks the scope, group or permission the resource needs: 403 `insufficient_scope`.
 * @example throw new InsufficientScope('needs scope mail:read', 'mail:read');
 */
export class InsufficientScope extends AuthError {
  constructor(description: string, scope?: string) {
    super(403, 'insufficient_scope', description, scope);
  }
}

/**
 * A valid token whose sign-in was not strong enough (RFC 9470 §3): 401 `insufficient_user_authentication`,
 * with the `acr_values` (and `max_age`) the client must ask for when it signs the user in again (step-up).
 * @example throw new InsufficientUserAuthentication('needs a second factor', ['urn:latchkey:acr:mfa']);
 */
export class InsufficientUserAuthentication extends AuthError {
  /** Acceptable levels, most preferred first (sent as `acr_values`). */
  readonly acrValues: readonly string[];
  /** Seconds since sign-in the resource accepts (sent as `max_age`). */
  readonly maxAge: number | undefined;
  constructor(description: string, acrValues: readonly string[] = [], maxAge?: number) {
    super(401, 'insufficient_user_authentication', description);
    this.acrValues = acrValues;
    this.maxAge = maxAge;
  }
}

/**
 * The identity provider could not be reached or answered with a server error while checking a credential.
 * Surfaces as 503 so a client retries instead of discarding a possibly valid token.
 * @example throw new IdpUnavailable('introspection answered 502');
 */
export class IdpUnavailable extends AuthError {
  constructor(description = 'the identity provider is unavailable') {
    super(503, undefined, description);
  }
}
