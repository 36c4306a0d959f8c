/**
 * Federation test fixtures: a downstream tenant whose connection points at an upstream identity provider
 * (another Latchkey tenant, "dogfood", or an independent one), and a cookie-jar walker that follows an
 * authorization through both sides' pages. Everything real: HTTP on 127.0.0.1, real databases.
 */
import type { RunningServer } from '../../src/server.ts';
import type { Tenant } from '../../src/db/queries/tenants.ts';
import { createTenant } from '../../src/directory/tenants.ts';
import { createClient } from '../../src/directory/clients.ts';
import { createUser } from '../../src/directory/users.ts';
import type { User } from '../../src/directory/users.ts';
import { createGroup, addMember } from '../../src/directory/groups.ts';
import { createConnection } from '../../src/federation/connections.ts';
import type { Connection, ConnectionInput } from '../../src/federation/connections.ts';
import { createSignInFixture, TEST_PASSWORD } from './sign-in-fixture.ts';
import type { SignInFixture } from './sign-in-fixture.ts';
import { authorizationUrl, CookieJar, createPkce, fetchWithJar, postFormWithJar, readForm } from './sign-in.ts';
import type { Pkce } from './sign-in.ts';

export interface UpstreamLatchkey {
  readonly tenant: Tenant;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly user: User;
}

/** A Latchkey tenant acting as the upstream: a client for the downstream's callback, a user in group `engineering`. */
export async function createUpstreamLatchkey(server: RunningServer, slug: string, callbackUrls: readonly string[], email = `grace@${slug}.example`): Promise<UpstreamLatchkey> {
  const tenant = await createTenant(server.ctx, { slug, name: `Upstream ${slug}` });
  const created = await createClient(server.ctx, tenant, { name: 'downstream latchkey', redirectUris: [...callbackUrls], grantTypes: ['authorization_code'], tokenClaims: ['groups'] });
  const user = await createUser(server.ctx, tenant, { email, password: TEST_PASSWORD, firstName: 'Grace', lastName: 'Hopper' });
  const group = await createGroup(server.ctx.db, tenant.id, { name: 'engineering' }, server.ctx.now());
  await addMember(server.ctx.db, tenant.id, group.id, user.id, server.ctx.now());
  return { tenant, issuer: `${server.ctx.config.baseUrl}/t/${slug}`, clientId: created.client.clientId, clientSecret: created.clientSecret ?? '', user };
}

/** A downstream tenant (sign-in fixture) with groups `developers` and `staff`. */
export async function createDownstream(server: RunningServer, slug: string, redirectUri?: string): Promise<SignInFixture> {
  const fixture = await createSignInFixture(server, slug, redirectUri === undefined ? {} : { redirectUri });
  await createGroup(server.ctx.db, fixture.tenant.id, { name: 'developers' }, server.ctx.now());
  await createGroup(server.ctx.db, fixture.tenant.id, { name: 'staff' }, server.ctx.now());
  return fixture;
}

export function callbackUrl(server: RunningServer, tenantSlug: string, connectionSlug: string): string {
  return `${server.ctx.config.baseUrl}/t/${tenantSlug}/federation/${connectionSlug}/callback`;
}

export async function addConnection(server: RunningServer, tenant: Tenant, input: ConnectionInput): Promise<Connection> {
  return server.ctx.db.transaction().execute((db) => createConnection(server.ctx, db, tenant.id, input));
}

/** How the walker answers the downstream sign-in page. */
export type DownstreamChoice = { readonly button: string } | { readonly email: string } | { readonly password: { login: string; password: string } } | 'none';

export interface WalkOptions {
  readonly downstream: SignInFixture;
  readonly choice: DownstreamChoice;
  /** Credentials for an upstream Latchkey sign-in page. */
  readonly upstreamLogin?: { readonly login: string; readonly password: string };
  readonly jar?: CookieJar;
  readonly extra?: Readonly<Record<string, string>>;
  /** Lets a test change a URL on the way (tamper with a callback, a nonce). Return undefined to keep it. */
  readonly rewrite?: (url: URL) => URL | undefined;
}

export interface WalkResult {
  readonly jar: CookieJar;
  /** Where the walk stopped: the client's callback, or a page (status and body). */
  readonly callback?: URL;
  readonly stoppedAt?: { readonly url: string; readonly status: number; readonly body: string };
  readonly pages: string[];
  readonly pkce: Pkce;
  readonly nonce: string;
}

/**
 * Starts an authorization at the downstream tenant and follows redirects and pages on both sides until the
 * client's redirect URI, or until a page it cannot answer (an error page, a sign-in page it has no answer for).
 */
export async function walkFederatedSignIn(options: WalkOptions): Promise<WalkResult> {
  const jar = options.jar ?? new CookieJar();
  const pkce = createPkce();
  const nonce = `n-${Math.random().toString(36).slice(2)}`;
  const { downstream } = options;
  const pages: string[] = [];
  let next = new URL(authorizationUrl({ issuer: downstream.issuer, clientId: downstream.clientId, redirectUri: downstream.redirectUri, ...(options.extra ? { extra: options.extra } : {}) }, pkce, 'client-state', nonce));
  let response = await fetchWithJar(jar, next.href);
  for (let hop = 0; hop < 20; hop++) {
    if (response.status === 302 || response.status === 303) {
      next = new URL(response.headers.get('location')!, next);
      next = options.rewrite?.(next) ?? next;
      if (next.href.startsWith(downstream.redirectUri)) return { jar, callback: next, pages, pkce, nonce };
      response = await fetchWithJar(jar, next.href);
      continue;
    }
    const body = await response.text();
    if (response.status !== 200) return { jar, stoppedAt: { url: next.href, status: response.status, body }, pages, pkce, nonce };
    const isDownstream = next.href.startsWith(`${downstream.issuer}/`);
    if (next.pathname.endsWith('/consent')) {
      pages.push(isDownstream ? 'consent' : 'upstream-consent');
      const { action, fields } = readForm(body);
      response = await postFormWithJar(jar, action, { ...fields, decision: 'allow' });
    } else if (next.pathname.endsWith('/login') && isDownstream) {
      pages.push(next.searchParams.has('link') ? 'login-link' : 'login');
      const choice = pages.filter((p) => p.startsWith('login')).length === 1 ? options.choice : 'none';
      if (choice === 'none') return { jar, stoppedAt: { url: next.href, status: 200, body }, pages, pkce, nonce };
      const { action, fields } = readForm(body);
      if ('button' in choice) {
        const form = new RegExp(`<form method="post" action="([^"]*/federation/${choice.button}/start)"`).exec(body);
        if (!form) throw new Error(`no button for ${choice.button} on the sign-in page`);
        response = await postFormWithJar(jar, form[1]!, { interaction: fields.interaction!, csrf_token: fields.csrf_token! });
      } else if ('email' in choice) {
        response = await postFormWithJar(jar, action, { ...fields, login: choice.email, password: '', action: 'sign_in' });
      } else {
        response = await postFormWithJar(jar, action, { ...fields, login: choice.password.login, password: choice.password.password, action: 'sign_in' });
      }
    } else if (next.pathname.endsWith('/login') && options.upstreamLogin) {
      pages.push('upstream-login');
      const { action, fields } = readForm(body);
      response = await postFormWithJar(jar, action, { ...fields, login: options.upstreamLogin.login, password: options.upstreamLogin.password, action: 'sign_in' });
    } else {
      return { jar, stoppedAt: { url: next.href, status: response.status, body }, pages, pkce, nonce };
    }
  }
  throw new Error('too many hops');
}
