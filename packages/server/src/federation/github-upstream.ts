/**
 * The `github` preset of an `oauth2` connection: GitHub speaks OAuth 2.0 without OpenID Connect, so the user
 * comes from its REST API (docs.github.com/rest/users): `GET /user` (the stable numeric `id` is the subject;
 * the login can be renamed) and `GET /user/emails` (each address with `primary` and `verified`). Only the
 * primary address counts, and it counts as verified only when GitHub says so. The OAuth exchange itself
 * (state, PKCE S256, code exchange) goes through `openid-client` like every upstream.
 */
import * as client from 'openid-client';
import type { Latchkey } from '../context.ts';
import { isLoopback, openSecrets } from './connections.ts';
import type { Connection } from './connections.ts';
import { FederationRefused } from './federation-errors.ts';
import type { OAuth2Endpoints } from './presets.ts';
import type { UpstreamProfile } from './upstream-profile.ts';

const GITHUB_ISSUER = 'https://github.com/login/oauth';

async function githubConfiguration(ctx: Latchkey, connection: Connection): Promise<{ configuration: client.Configuration; endpoints: OAuth2Endpoints }> {
  const endpoints = ctx.federationPresets.github;
  const secrets = await openSecrets(ctx, { secrets_jwe: connection.secretsJwe });
  const configuration = new client.Configuration(
    { issuer: GITHUB_ISSUER, authorization_endpoint: endpoints.authorizationEndpoint, token_endpoint: endpoints.tokenEndpoint },
    connection.settings.client_id!,
    undefined,
    connection.settings.client_auth === 'client_secret_post' ? client.ClientSecretPost(secrets.client_secret) : client.ClientSecretBasic(secrets.client_secret),
  );
  if (Object.values(endpoints).every((url: string) => isLoopback(new URL(url).hostname))) client.allowInsecureRequests(configuration);
  return { configuration, endpoints };
}

export async function startGithub(ctx: Latchkey, connection: Connection, redirectUri: string, state: (data: { codeVerifier: string }) => Promise<string>, loginHint: string | undefined): Promise<string> {
  const { configuration } = await githubConfiguration(ctx, connection);
  const codeVerifier = client.randomPKCECodeVerifier();
  const parameters: Record<string, string> = {
    redirect_uri: redirectUri,
    scope: (connection.settings.scopes ?? []).join(' '),
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state: await state({ codeVerifier }),
  };
  // GitHub's `login` parameter suggests an account (its documented counterpart of login_hint).
  if (loginHint !== undefined) parameters.login = loginHint;
  return client.buildAuthorizationUrl(configuration, parameters).href;
}

async function readJson(configuration: client.Configuration, accessToken: string, url: string): Promise<unknown> {
  const response = await client.fetchProtectedResource(configuration, accessToken, new URL(url), 'GET', undefined, new Headers({ accept: 'application/vnd.github+json' }));
  if (!response.ok) throw new FederationRefused('invalid_response', `GitHub answered ${response.status} to ${new URL(url).pathname}.`);
  return response.json();
}

export async function finishGithub(ctx: Latchkey, connection: Connection, callbackUrl: URL, checks: { codeVerifier: string; state: string }): Promise<UpstreamProfile> {
  const { configuration, endpoints } = await githubConfiguration(ctx, connection);
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    tokens = await client.authorizationCodeGrant(configuration, callbackUrl, { pkceCodeVerifier: checks.codeVerifier, expectedState: checks.state, idTokenExpected: false });
  } catch (error) {
    if (error instanceof client.AuthorizationResponseError) throw new FederationRefused('upstream_error', `GitHub answered: ${error.error}.`, { cause: error });
    throw new FederationRefused('invalid_response', 'The response from GitHub failed validation.', { cause: error });
  }
  const user = (await readJson(configuration, tokens.access_token, endpoints.userEndpoint)) as { id?: unknown; login?: unknown; name?: unknown };
  if (typeof user.id !== 'number' && typeof user.id !== 'string') throw new FederationRefused('no_subject', 'GitHub did not say who the user is.');
  const emails = await readJson(configuration, tokens.access_token, endpoints.emailsEndpoint);
  const primary = Array.isArray(emails) ? (emails as Array<{ email?: unknown; primary?: unknown; verified?: unknown }>).find((e) => e.primary === true && typeof e.email === 'string') : undefined;
  const name = typeof user.name === 'string' && user.name.trim() !== '' ? user.name.trim().slice(0, 200) : undefined;
  return {
    subject: String(user.id),
    email: primary === undefined ? undefined : String(primary.email),
    emailVerified: primary?.verified === true,
    givenName: undefined,
    familyName: undefined,
    name: name ?? (typeof user.login === 'string' ? user.login : undefined),
    groups: [],
    amr: [],
    acr: undefined,
    tokens: { access_token: tokens.access_token, token_type: tokens.token_type ?? null, refresh_token: tokens.refresh_token ?? null, id_token: null, expires_at: null, scope: tokens.scope ?? null },
  };
}
