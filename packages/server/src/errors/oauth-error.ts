/**
 * The one error hierarchy. Every error a client can cause is an `OAuthError` with the RFC 6749 §5.2 `error`
 * code, an HTTP status and a description safe to show. The HTTP layer's serializer writes them; anything
 * else becomes `server_error` without leaking internals.
 */
export interface OAuthErrorOptions {
  /** Extra response headers (`WWW-Authenticate`, `Retry-After`). */
  readonly headers?: Record<string, string>;
  readonly cause?: unknown;
}

export class OAuthError extends Error {
  override name = 'OAuthError';
  readonly error: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  /** False for server-side failures whose description must not reach the client. */
  readonly expose: boolean;

  constructor(error: string, status: number, description: string, options: OAuthErrorOptions = {}) {
    // A client error is an answer, not a bug: nothing logs its stack, and `assert(ok, new X(…))` builds one even
    // when ok, so capturing a stack trace there cost ~5% of the token endpoint's CPU (bench/, issue 6).
    const stackTraceLimit = Error.stackTraceLimit;
    if (status < 500) Error.stackTraceLimit = 0;
    super(description, options.cause === undefined ? undefined : { cause: options.cause });
    Error.stackTraceLimit = stackTraceLimit;
    this.error = error;
    this.status = status;
    this.headers = { ...options.headers };
    this.expose = status < 500;
  }

  get description(): string {
    return this.message;
  }

  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.expose ? this.message : 'the server could not complete the request' };
  }
}

type OAuthErrorClass = new (description?: string, options?: OAuthErrorOptions) => OAuthError;

function define(error: string, status: number, defaultDescription: string): OAuthErrorClass {
  return class extends OAuthError {
    constructor(description: string = defaultDescription, options?: OAuthErrorOptions) {
      super(error, status, description, options);
    }
  };
}

// RFC 6749 §5.2 and §4.1.2.1
export const InvalidRequest = define('invalid_request', 400, 'the request is malformed');
export const InvalidClient = define('invalid_client', 401, 'client authentication failed');
export const InvalidGrant = define('invalid_grant', 400, 'the grant is invalid, expired or revoked');
export const UnauthorizedClient = define('unauthorized_client', 400, 'the client may not use this grant type');
export const UnsupportedGrantType = define('unsupported_grant_type', 400, 'the grant type is not supported');
export const InvalidScope = define('invalid_scope', 400, 'the requested scope is invalid or not allowed');
export const AccessDenied = define('access_denied', 403, 'access denied');
export const UnsupportedResponseType = define('unsupported_response_type', 400, 'the response type is not supported');
// RFC 6750 §3.1
export const InvalidToken = define('invalid_token', 401, 'the access token is missing, malformed, expired or revoked');
export const InsufficientScope = define('insufficient_scope', 403, 'the token lacks the required scope');
// RFC 7009 §2.2.1
export const UnsupportedTokenType = define('unsupported_token_type', 400, 'the token type is not supported');
// OpenID Connect Core §3.1.2.6
export const LoginRequired = define('login_required', 400, 'the user must sign in');
export const ConsentRequired = define('consent_required', 400, 'the user must consent');
export const InteractionRequired = define('interaction_required', 400, 'user interaction is required');
// RFC 8707 §2
export const InvalidTarget = define('invalid_target', 400, 'the requested resource is invalid, unknown or not allowed');
// RFC 7591 §3.2.2
export const InvalidClientMetadata = define('invalid_client_metadata', 400, 'a client metadata field is invalid');
export const InvalidRedirectUri = define('invalid_redirect_uri', 400, 'a redirect URI is invalid');
// Beyond the RFCs, in the same shape.
export const NotFound = define('not_found', 404, 'no such resource');
export const MethodNotAllowed = define('method_not_allowed', 405, 'method not allowed');
export const Conflict = define('conflict', 409, 'the request conflicts with the current state');
export const RequestTimeout = define('invalid_request', 408, 'the request did not arrive in time');
export const PayloadTooLarge = define('invalid_request', 413, 'the request body is too large');
export const UnsupportedMediaType = define('invalid_request', 415, 'unsupported content type');
export const RequestHeadersTooLarge = define('invalid_request', 431, 'the request headers are too large');
export const TooManyRequests = define('too_many_requests', 429, 'too many requests; retry later');
export const ServerError = define('server_error', 500, 'the server could not complete the request');
export const TemporarilyUnavailable = define('temporarily_unavailable', 503, 'the service is temporarily unavailable');

/**
 * `assert(condition, new InvalidGrant('code was already used'))`. It builds the error before testing the condition,
 * so the per-request paths the benchmarks load (token endpoint, client_credentials, introspection) write
 * `if (…) throw new X(…)` instead: an unthrown error was ~2% of the token endpoint's main thread (bench/, issue 6).
 */
export function assert(condition: unknown, error: OAuthError): asserts condition {
  if (!condition) throw error;
}
