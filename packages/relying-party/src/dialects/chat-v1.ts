/**
 * Seed 001 (a chat product, under `/v1/auth/`): `config`, `login` (server-side code exchange), `token`
 * (password grant when the tenant allows it), `refresh` and `register` (idempotent; the product stores its
 * participant and personal workspace through a callback). Successes are wrapped in `{"data": …}`; failures are
 * `{"error": {"code": "SW_AUTH_…", "message": …}}`.
 */
import { AuthError, IdpUnavailable } from '../errors.ts';
import type { IdpClient, TokenResult } from '../idp/idp-client.ts';
import { readParams } from '../http/request-body.ts';
import { noStoreJson, routeTable } from '../http/router.ts';
import type { WebHandler } from '../http/node-bridge.ts';
import { bearerChallenge } from '../http/www-authenticate.ts';
import type { Principal } from '../principal.ts';
import type { Verifier } from '../verify/verifier.ts';

/** What the product's storage returns for a principal's participant (created on first call, found after). */
export interface Participant {
  readonly participant_id: string;
  readonly display_name: string;
  readonly personal_workspace_id: string;
}

export interface ChatAuthOptions {
  readonly idp: IdpClient;
  readonly verifier: Verifier;
  /** The redirect URI registered for this product (seed 001: the `/v1/auth/login` URL itself). */
  readonly redirectUri: string;
  readonly scopes?: readonly string[];
  /** Finds or creates the participant and personal workspace; must be idempotent. */
  register(principal: Principal): Promise<Participant>;
}

const fail = (status: number, code: string, message: string, headers: Record<string, string> = {}) => noStoreJson({ error: { code, message } }, status, headers);

function tokensOrError(result: TokenResult, failedStatus = 401): Response {
  if (!result.ok) return fail(failedStatus, 'SW_AUTH_OIDC_FAILED', `${result.error}: ${result.error_description}`);
  const { access_token, refresh_token, expires_in } = result.tokens;
  return noStoreJson({ data: { access_token, refresh_token: refresh_token ?? null, token_type: 'Bearer', expires_in } });
}

async function upstream(step: () => Promise<Response>): Promise<Response> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof IdpUnavailable) return fail(502, 'SW_AUTH_OIDC_FAILED', error.message);
    throw error;
  }
}

/**
 * The seed 001 endpoints as one web handler.
 * @example
 * createServer(nodeListener(chatAuthRoutes({ idp, verifier, redirectUri: 'https://chat.example.com/v1/auth/login', register })));
 */
export function chatAuthRoutes(options: ChatAuthOptions): WebHandler {
  const scopes = options.scopes ?? ['openid', 'profile', 'email', 'offline_access'];

  const config = async () =>
    upstream(async () => {
      const metadata = await options.idp.discovery.metadata();
      return noStoreJson({
        data: {
          issuer: metadata.issuer,
          authorization_endpoint: metadata.authorization_endpoint ?? `${metadata.issuer}/oauth2/authorize`,
          token_endpoint: metadata.token_endpoint,
          scopes_supported: scopes,
          redirect_uri: options.redirectUri,
        },
      });
    });

  const login = async (request: Request) => {
    const params = await readParams(request);
    if (!params.code) return fail(400, 'SW_AUTH_OIDC_FAILED', 'code is required (query parameter or form field)');
    if (params.redirect_uri !== undefined && params.redirect_uri !== options.redirectUri) {
      return fail(400, 'SW_AUTH_REDIRECT_MISMATCH', 'redirect_uri does not match the configured redirect URI');
    }
    return upstream(async () => tokensOrError(await options.idp.exchangeCode(params.code as string, options.redirectUri, params.code_verifier)));
  };

  const token = async (request: Request) => {
    const params = await readParams(request);
    if (params.grant_type !== 'password' || !params.username || !params.password) {
      return fail(400, 'SW_AUTH_OIDC_FAILED', 'grant_type=password, username and password are required');
    }
    return upstream(async () => {
      const result = await options.idp.password(params.username as string, params.password as string, params.scope ?? scopes.join(' '));
      if (!result.ok && (result.error === 'unauthorized_client' || result.error === 'unsupported_grant_type')) {
        return fail(403, 'SW_AUTH_PASSWORD_GRANT_DISABLED', 'the password grant is not enabled for this tenant');
      }
      return tokensOrError(result);
    });
  };

  const refresh = async (request: Request) => {
    const params = await readParams(request);
    if (!params.refresh_token) return fail(400, 'SW_AUTH_OIDC_FAILED', 'refresh_token is required');
    return upstream(async () => tokensOrError(await options.idp.refresh(params.refresh_token as string)));
  };

  const register = async (request: Request) => {
    let principal: Principal;
    try {
      principal = await options.verifier.authenticate(request.headers.get('authorization'));
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      const headers: Record<string, string> = error.status === 401 ? { 'www-authenticate': bearerChallenge(error) } : {};
      return fail(error.status, error.status === 401 ? 'SW_AUTH_UNAUTHORIZED' : 'SW_AUTH_OIDC_FAILED', error.message, headers);
    }
    const participant = await options.register(principal);
    return noStoreJson({
      data: {
        participant_id: participant.participant_id,
        tenant_id: principal.tenant_id,
        display_name: participant.display_name,
        email: principal.email,
        personal_workspace_id: participant.personal_workspace_id,
      },
    });
  };

  return routeTable([
    ['GET', '/v1/auth/config', config],
    ['POST', '/v1/auth/login', login],
    // The IdP redirects the browser to the registered URI with a GET.
    ['GET', '/v1/auth/login', login],
    ['POST', '/v1/auth/token', token],
    ['POST', '/v1/auth/refresh', refresh],
    ['POST', '/v1/auth/register', register],
  ]);
}
