/**
 * Seed 003 (a sending service, under `/v3/auth/`): `login` returns the authorization URL and a `state`;
 * `callback` exchanges the code (400 bad or expired code, 401 state mismatch) and returns tokens and the user;
 * `refresh` rotates; `logout` is stateless; `me` returns the profile with effective permissions and role.
 * The back end keeps no store: `state` is sealed and carries the PKCE verifier, so any instance can finish.
 */
import { AuthError, IdpUnavailable } from '../errors.ts';
import type { IdpClient } from '../idp/idp-client.ts';
import { createPkcePair, randomToken } from '../idp/pkce.ts';
import { readParams } from '../http/request-body.ts';
import { noStoreJson, routeTable } from '../http/router.ts';
import type { WebHandler } from '../http/node-bridge.ts';
import { createSealer } from '../http/sealer.ts';
import { authErrorResponse } from '../http/web.ts';
import { verifyIdToken } from '../verify/id-token.ts';
import type { Verifier } from '../verify/verifier.ts';
import { credentialOf, loadProfile } from './profile.ts';

export interface SendingAuthOptions {
  readonly idp: IdpClient;
  readonly verifier: Verifier;
  /** Where the IdP sends the browser back (the product UI, which posts code and state to `callback`). */
  readonly redirectUri: string;
  /** At least 32 characters; seals `state`. */
  readonly stateSecret: string;
  readonly scopes?: readonly string[];
  /** Seconds a login may take (default 600). */
  readonly loginTtlSeconds?: number;
}

interface LoginState {
  readonly verifier: string;
  readonly nonce: string;
}

const fail = (status: number, error: string, description: string) => noStoreJson({ error, error_description: description }, status);

async function upstream(step: () => Promise<Response>): Promise<Response> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof IdpUnavailable) return fail(502, 'upstream_unavailable', error.message);
    if (error instanceof AuthError) return fail(error.status, error.code ?? 'invalid_token', error.message);
    throw error;
  }
}

/**
 * The seed 003 endpoints as one web handler.
 * @example
 * app.use(expressHandler(sendingAuthRoutes({ idp, verifier, redirectUri: 'https://send.example.com/callback', stateSecret })));
 */
export function sendingAuthRoutes(options: SendingAuthOptions): WebHandler {
  const sealer = createSealer(options.stateSecret, 'sending-v3-state');
  const scope = (options.scopes ?? ['openid', 'profile', 'email', 'offline_access']).join(' ');

  const login = async (request: Request) => {
    const { email } = await readParams(request);
    const pkce = createPkcePair();
    const nonce = randomToken();
    const state = sealer.seal({ verifier: pkce.verifier, nonce, id: randomToken(8) }, options.loginTtlSeconds ?? 600);
    return upstream(async () => {
      const authorization_url = await options.idp.authorizationUrl({ redirectUri: options.redirectUri, state, codeChallenge: pkce.challenge, scope, nonce, loginHint: email || undefined });
      return noStoreJson({ authorization_url, state });
    });
  };

  const callback = async (request: Request) => {
    const { code, state } = await readParams(request);
    if (!code || !state) return fail(400, 'invalid_request', 'code and state are required');
    const login = sealer.open<LoginState>(state);
    if (!login) return fail(401, 'state_mismatch', 'state was not issued by this service or has expired');
    return upstream(async () => {
      const result = await options.idp.exchangeCode(code, options.redirectUri, login.verifier);
      if (!result.ok) return fail(400, result.error, result.error_description);
      const { access_token, refresh_token, expires_in } = result.tokens;
      const principal = await options.verifier.verify(access_token);
      if (result.tokens.id_token) await verifyIdToken(options.verifier, result.tokens.id_token, { clientId: options.idp.clientId, nonce: login.nonce });
      const profile = await loadProfile(options.idp, principal, access_token);
      return noStoreJson({
        access_token,
        refresh_token: refresh_token ?? null,
        expires_in,
        user: { id: principal.sub, email: profile.email, first_name: profile.first_name, last_name: profile.last_name, display_name: profile.display_name, tenant_id: principal.tenant_id },
      });
    });
  };

  const refresh = async (request: Request) => {
    const { refresh_token } = await readParams(request);
    if (!refresh_token) return fail(400, 'invalid_request', 'refresh_token is required');
    return upstream(async () => {
      const result = await options.idp.refresh(refresh_token);
      if (!result.ok) return fail(401, result.error, result.error_description);
      return noStoreJson({ access_token: result.tokens.access_token, refresh_token: result.tokens.refresh_token ?? refresh_token, expires_in: result.tokens.expires_in });
    });
  };

  // Stateless: nothing to destroy here. A refresh token sent along is revoked as a courtesy.
  const logout = async (request: Request) => {
    const { refresh_token } = await readParams(request);
    if (refresh_token) await options.idp.revoke(refresh_token).catch(() => undefined);
    return noStoreJson({ status: 'ok' });
  };

  const me = async (request: Request) => {
    try {
      const principal = await options.verifier.authenticate(request.headers.get('authorization'));
      const profile = await loadProfile(options.idp, principal, credentialOf(request));
      return noStoreJson({
        data: {
          id: principal.sub,
          email: profile.email,
          first_name: profile.first_name,
          last_name: profile.last_name,
          display_name: profile.display_name,
          name: profile.display_name,
          status: profile.status,
          tenant_id: principal.tenant_id,
          permissions: principal.permissions,
          role: profile.role,
        },
      });
    } catch (error) {
      if (error instanceof AuthError) return authErrorResponse(error);
      throw error;
    }
  };

  return routeTable([
    ['POST', '/v3/auth/login', login],
    ['POST', '/v3/auth/callback', callback],
    ['POST', '/v3/auth/refresh', refresh],
    ['POST', '/v3/auth/logout', logout],
    ['GET', '/v3/auth/me', me],
  ]);
}
