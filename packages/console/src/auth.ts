/**
 * Signing in to the console through Latchkey itself: authorization code + PKCE with the browser SDK, at the
 * admin's own tenant (an admin token's tenant is its issuer's), with the built-in public client the server names
 * in `/console/config.json`. Tokens stay in memory (the SDK's rule); a reload signs in again, silently while the
 * tenant's sign-in session lasts. Only the tenant slug and the page to return to are kept, in sessionStorage.
 */
import { handleRedirectCallback, initOIDC, login, logout } from './sdk.ts';

const TENANT_KEY = 'latchkey.console.tenant';
const RETURN_KEY = 'latchkey.console.return';
const SCOPE = 'openid profile email offline_access latchkey:admin';

interface ConsoleConfig {
  readonly issuer: string;
  readonly client_id: string;
  readonly redirect_uri: string;
  readonly tenant: string;
}

export class SignInUnavailable extends Error {
  override name = 'SignInUnavailable';
}

async function configFor(tenant: string | null): Promise<ConsoleConfig> {
  const response = await fetch(`/console/config.json${tenant ? `?tenant=${encodeURIComponent(tenant)}` : ''}`);
  const body = (await response.json().catch(() => ({}))) as Partial<ConsoleConfig> & { error_description?: string };
  if (!response.ok) throw new SignInUnavailable(body.error_description ?? `the server answered ${response.status}`);
  return body as ConsoleConfig;
}

function init(config: ConsoleConfig): void {
  initOIDC({ issuer: config.issuer, clientId: config.client_id, redirectUri: config.redirect_uri, postLogoutRedirectUri: config.redirect_uri, scope: SCOPE });
}

/** The tenant the admin signed in to last in this tab (the slug only). */
export function rememberedTenant(): string | null {
  return sessionStorage.getItem(TENANT_KEY);
}

/** Back to the sign-in choice on the next load (after a refusal, so a reload does not sign in again at once). */
export function forgetTenant(): void {
  sessionStorage.removeItem(TENANT_KEY);
}

/** Off to the tenant's sign-in page; back at /console/ with a code. `tenant` null: the system tenant. */
export async function signIn(tenant: string | null): Promise<void> {
  const config = await configFor(tenant);
  sessionStorage.setItem(TENANT_KEY, config.tenant);
  sessionStorage.setItem(RETURN_KEY, location.hash.startsWith('#/') ? location.hash : '#/');
  init(config);
  await login();
}

/** On the way back from sign-in: exchanges the code, restores the page. False when this load is not a return. */
export async function finishSignIn(): Promise<boolean> {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return false;
  init(await configFor(rememberedTenant()));
  try {
    await handleRedirectCallback();
  } catch (error) {
    history.replaceState(null, '', '/console/');
    sessionStorage.removeItem(TENANT_KEY);
    throw error;
  }
  const back = sessionStorage.getItem(RETURN_KEY) ?? '#/';
  sessionStorage.removeItem(RETURN_KEY);
  history.replaceState(null, '', `/console/${back}`);
  return true;
}

export async function signOut(): Promise<void> {
  sessionStorage.removeItem(TENANT_KEY);
  await logout();
}
