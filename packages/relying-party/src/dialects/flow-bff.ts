/**
 * Seed 004 (a flow editor's back end for front end, under `/api/v1/auth` and `/v1/me`): public `config`,
 * `exchange` and `refresh` that add the client secret server-side (400 forwards the IdP's error, 502 when the
 * IdP fails or is unreachable, 503 when not configured), and `me` merged with the product's local admin role.
 * Errors are `{"detail": …}`. `dev_token` mode is for local development and refused in production.
 */
import { AuthError, IdpUnavailable, InvalidToken } from '../errors.ts';
import type { IdpClient, TokenResult } from '../idp/idp-client.ts';
import { readParams } from '../http/request-body.ts';
import { noStoreJson, routeTable } from '../http/router.ts';
import type { WebHandler } from '../http/node-bridge.ts';
import { bearerChallenge } from '../http/www-authenticate.ts';
import { principalFromClaims } from '../principal.ts';
import type { Principal } from '../principal.ts';
import type { Verifier } from '../verify/verifier.ts';
import { credentialOf, loadProfile } from './profile.ts';

export type AdminRole = 'tenant_admin' | 'super_admin' | null;

export interface FlowAuthOptions {
  readonly authMode: 'latchkey' | 'dev_token';
  /** The tenant's issuer; with `clientId` and `clientSecret` it makes the mode configured. */
  readonly issuer?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly audience?: string;
  readonly redirectUri?: string;
  /** Built by the product from the fields above (absent when not configured). */
  readonly idp?: IdpClient;
  readonly verifier?: Verifier;
  /** `process.env.NODE_ENV`, passed in: `dev_token` is refused when it is `production`. */
  readonly nodeEnv?: string;
  /** The static bearer accepted in `dev_token` mode, and who it stands for. */
  readonly devToken?: string;
  readonly devPrincipal?: Readonly<Record<string, unknown>>;
  /** The product's local admin role for a principal (seed 004: independent of IdP roles). */
  adminRole(principal: Principal): Promise<AdminRole>;
}

const detail = (status: number, value: unknown, headers: Record<string, string> = {}) => noStoreJson({ detail: value }, status, headers);

function tokensOrError(result: TokenResult): Response {
  if (!result.ok) return detail(400, { error: result.error, error_description: result.error_description });
  const { access_token, refresh_token, id_token, expires_in } = result.tokens;
  return noStoreJson({ access_token, refresh_token: refresh_token ?? null, id_token: id_token ?? null, token_type: 'Bearer', expires_in });
}

/**
 * The seed 004 endpoints as one web handler.
 * @example
 * await app.register(fastifyHandlers([flowAuthRoutes({ authMode: 'latchkey', issuer, clientId, clientSecret, idp, verifier, adminRole })], ['/api/v1/auth/*', '/v1/me']));
 */
export function flowAuthRoutes(options: FlowAuthOptions): WebHandler {
  if (options.authMode === 'dev_token') {
    if (options.nodeEnv === 'production') throw new Error('auth_mode dev_token is refused when NODE_ENV=production');
    if (!options.devToken || options.devToken.length < 16) throw new Error('dev_token mode needs a devToken of at least 16 characters');
  }
  const idp = options.authMode === 'latchkey' && options.issuer && options.clientId && options.clientSecret ? options.idp : undefined;

  const config = async () =>
    noStoreJson({
      auth_mode: options.authMode,
      latchkey_base_url: options.issuer ?? null,
      client_id: options.clientId ?? null,
      audience: options.audience ?? options.clientId ?? null,
      redirect_uri: options.redirectUri ?? null,
    });

  const proxy = (step: (params: Record<string, string>, idp: IdpClient) => Promise<Response>) => async (request: Request) => {
    if (!idp) return detail(503, 'Latchkey OIDC is not configured on the server (issuer, client id and client secret are required)');
    const params = await readParams(request);
    try {
      return await step(params, idp);
    } catch (error) {
      if (error instanceof IdpUnavailable) return detail(502, `Latchkey upstream error: ${error.message}`);
      throw error;
    }
  };

  const exchange = proxy(async (params, client) => {
    if (!params.code || !params.code_verifier || !params.redirect_uri) return detail(400, { error: 'invalid_request', error_description: 'code, code_verifier and redirect_uri are required' });
    return tokensOrError(await client.exchangeCode(params.code, params.redirect_uri, params.code_verifier));
  });

  const refresh = proxy(async (params, client) => {
    if (!params.refresh_token) return detail(400, { error: 'invalid_request', error_description: 'refresh_token is required' });
    return tokensOrError(await client.refresh(params.refresh_token));
  });

  async function authenticate(request: Request): Promise<Principal> {
    const credential = credentialOf(request);
    if (options.authMode === 'dev_token') {
      if (credential !== options.devToken) throw new InvalidToken('expected the development token');
      return principalFromClaims({ sub: 'usr_dev', email: 'dev@localhost', name: 'Developer', ...options.devPrincipal });
    }
    if (!options.verifier) throw new IdpUnavailable('Latchkey OIDC is not configured on the server');
    return options.verifier.authenticate(request.headers.get('authorization'));
  }

  const me = async (request: Request) => {
    let principal: Principal;
    try {
      principal = await authenticate(request);
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      return detail(error.status, error.message, error.status === 401 ? { 'www-authenticate': bearerChallenge(error) } : {});
    }
    const profile = await loadProfile(idp, principal, credentialOf(request));
    const claims = profile.claims;
    return noStoreJson({
      sub: principal.sub,
      tenant_id: principal.tenant_id,
      tenant_slug: typeof claims.tenant_slug === 'string' ? claims.tenant_slug : null,
      partner_id: typeof claims.partner_id === 'string' ? claims.partner_id : null,
      email: profile.email,
      name: profile.first_name ?? profile.username ?? profile.display_name,
      display_name: profile.display_name,
      admin_role: await options.adminRole(principal),
    });
  };

  return routeTable([
    ['GET', '/api/v1/auth/config', config],
    ['POST', '/api/v1/auth/exchange', exchange],
    ['POST', '/api/v1/auth/refresh', refresh],
    ['GET', '/v1/me', me],
  ]);
}
