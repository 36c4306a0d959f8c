/**
 * What a product back end asks of the identity provider: build an authorization URL, exchange a code, refresh,
 * use the password grant, read userinfo, revoke. IdP refusals come back as values (the dialects word them
 * differently); an unreachable IdP or a 5xx is `IdpUnavailable`.
 */
import { IdpUnavailable } from '../errors.ts';
import type { IssuerDiscovery } from '../verify/issuer-metadata.ts';

export interface TokenSet {
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in: number;
  readonly refresh_token?: string;
  readonly id_token?: string;
  readonly scope?: string;
}

export type TokenResult = { readonly ok: true; readonly tokens: TokenSet } | { readonly ok: false; readonly status: number; readonly error: string; readonly error_description: string };

export interface IdpClientOptions {
  readonly clientId: string;
  /** Absent for a public client (PKCE only). */
  readonly clientSecret?: string;
  readonly fetch?: typeof fetch;
}

export interface AuthorizationRequest {
  readonly redirectUri: string;
  readonly state: string;
  readonly codeChallenge: string;
  readonly scope: string;
  readonly nonce?: string;
  readonly loginHint?: string;
}

export interface IdpClient {
  readonly discovery: IssuerDiscovery;
  readonly clientId: string;
  authorizationUrl(request: AuthorizationRequest): Promise<string>;
  exchangeCode(code: string, redirectUri: string, codeVerifier?: string): Promise<TokenResult>;
  refresh(refreshToken: string): Promise<TokenResult>;
  password(username: string, password: string, scope?: string): Promise<TokenResult>;
  /** The userinfo claims for an access token, or undefined when the IdP refuses it. */
  userinfo(accessToken: string): Promise<Record<string, unknown> | undefined>;
  revoke(token: string): Promise<void>;
}

/**
 * A client of one issuer for one product client.
 * @example
 * const idp = createIdpClient(discoverIssuer(issuer), { clientId, clientSecret });
 * const result = await idp.exchangeCode(code, 'https://app.example.com/callback', verifier);
 */
export function createIdpClient(discovery: IssuerDiscovery, options: IdpClientOptions): IdpClient {
  const fetchImpl = options.fetch ?? fetch;

  async function call(url: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await fetchImpl(url, init);
    } catch (error) {
      throw new IdpUnavailable(`the identity provider is unreachable: ${(error as Error).message}`);
    }
    if (response.status >= 500) throw new IdpUnavailable(`the identity provider answered ${response.status}`);
    return response;
  }

  function clientParams(): Record<string, string> {
    return options.clientSecret === undefined ? { client_id: options.clientId } : { client_id: options.clientId, client_secret: options.clientSecret };
  }

  async function token(params: Record<string, string>): Promise<TokenResult> {
    const { token_endpoint } = await discovery.metadata();
    const response = await call(token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ ...params, ...clientParams() }).toString(),
    });
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.ok && typeof body.access_token === 'string') return { ok: true, tokens: body as unknown as TokenSet };
    return {
      ok: false,
      status: response.status,
      error: typeof body.error === 'string' ? body.error : 'invalid_request',
      error_description: typeof body.error_description === 'string' ? body.error_description : `the token endpoint answered ${response.status}`,
    };
  }

  return {
    discovery,
    clientId: options.clientId,
    async authorizationUrl(request) {
      const metadata = await discovery.metadata();
      const url = new URL(metadata.authorization_endpoint ?? `${discovery.issuer}/oauth2/authorize`);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: options.clientId,
        redirect_uri: request.redirectUri,
        scope: request.scope,
        state: request.state,
        code_challenge: request.codeChallenge,
        code_challenge_method: 'S256',
        ...(request.nonce === undefined ? {} : { nonce: request.nonce }),
        ...(request.loginHint === undefined ? {} : { login_hint: request.loginHint }),
      }).toString();
      return url.href;
    },
    exchangeCode: (code, redirectUri, codeVerifier) =>
      token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, ...(codeVerifier === undefined ? {} : { code_verifier: codeVerifier }) }),
    refresh: (refreshToken) => token({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    password: (username, password, scope) => token({ grant_type: 'password', username, password, ...(scope === undefined ? {} : { scope }) }),
    async userinfo(accessToken) {
      const metadata = await discovery.metadata();
      const response = await call(metadata.userinfo_endpoint ?? `${discovery.issuer}/oauth2/userinfo`, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } });
      return response.ok ? ((await response.json()) as Record<string, unknown>) : undefined;
    },
    async revoke(tokenValue) {
      const metadata = await discovery.metadata();
      await call(metadata.revocation_endpoint ?? `${discovery.issuer}/oauth2/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: tokenValue, ...clientParams() }).toString(),
      });
    },
  };
}
